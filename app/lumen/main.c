/* main.c: `lumen`, the GTK app: live charts of the runs in a log directory.
 *
 * What it is for: command-line handling and the application object.
 *   lumen [--logdir DIR]               like `tensorboard --logdir DIR`
 *         [--logdir_spec NAME:DIR,...]  several folders, runs under NAME/
 *         [--screenshot FILE.png]      render once the data is loaded, exit
 *         [--window-size WxH] [--tag-filter RE] [--run-filter RE]
 *         [--smoothing W] [--x-axis step|relative|wall] [--timings] [--version]
 *         [--histogram-mode offset|overlay]  TensorBoard's histogram mode, every card
 *         [--theme system|light|dark] [--run-color-group run|experiment|regex:RE]
 *         [--view scalars|histograms|distributions|images|audio|text|pr_curves|hparams|hparams-scatter|graph|
 *                 projector|mesh|debugger|profile]
 *         [--step N] [--op SEQ]          with --view debugger: traced step, op
 *         [--step N|A:B]                 with --view scalars: the step selection;
 *                                        with --view histograms, images or audio:
 *                                        the same, linked by step (those cards follow it)
 *         [--step N]                     with --view pr_curves: each run's slider
 *         [--projector-method pca|tsne|umap|custom] [--tsne-iterations N] [--umap-epochs N]
 *         [--projector-sphereize] [--projector-custom-x LEFT,RIGHT] [--projector-custom-y UP,DOWN]
 *         [--projector-custom-regex]     with --view projector
 *         [--projector-select LABEL|N]   with --view projector: the inspector's point
 *         [--projector-color-by COLUMN]  with --view projector: Color by
 *         [--video-frame N]              with --screenshot: the frame videos show
 *         [--mesh-camera YAW,PITCH]      with --view mesh: the initial camera's angles
 * Without --logdir it watches ./runs, torch SummaryWriter's default.
 * Folders holding TensorBoard event files are imported in the background
 * into a cache that the window also watches (new_window_following).
 * Settings the user changes (smoothing, axis, outliers, histogram mode,
 * theme, window size) are kept in ~/.config/lumen/settings.ini (ui/lm-preferences.h); options on
 * the command line apply on top of them for that session only.
 * A second `lumen` hands its command line to the running instance (one
 * process, one window per log directory); screenshots and timings always
 * run in their own process.  Without a session bus it runs alone, with
 * accessibility off (a11y_without_bus).
 *
 * What it is not for: any window content (ui/lm-window.c).
 */
#include <gtk/gtk.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lm-graph-page.h"
#include "lm-mesh-view.h"
#include "lm-run-color-group.h"
#include "lm-run-store.h"
#include "lm-tb-follow.h"
#include "lm-tb-import.h"
#include "lm-histogram-view.h"
#include "lm-hparams-view.h"
#include "lm-image-card.h"
#include "lm-preferences.h"
#include "lm-projector-page.h"
#include "lm-pr-curve-view.h"
#include "lm-record-dashboard.h"
#include "lm-theme.h"
#include "lm-window.h"

#define APP_ID "org.lumen.Lumen"

static gint64 start_us;   /* main() entry, for --timings */
/* A screenshot or timing job's status: a local command line's own exit
 * status is ignored once the main loop has run, so main() returns this. */
static int job_status;

typedef struct
{
  LmWindow *window;
  GApplicationCommandLine *cmdline;
  char *screenshot;
  gboolean timings;
  guint timeout_s;
  gint64 listed_us, cards_us, complete_us;
  guint tick_id;
  guint deadline_id;
  gboolean done;
  gboolean sel_pending;       /* --step on the scalars or PR Curves view, not yet applied */
  gboolean pr_step;           /* it is PR Curves' */
  gint64 sel_start, sel_end;
  guint sel_wait;             /* ticks left for the tables to be laid out */
} Job;

static long
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return -1;
  p = strstr (text, field);
  return p ? atol (p + strlen (field) + 1) : -1;
}

static void
job_done (Job *job, int status)
{
  GApplication *app = g_application_get_default ();

  if (job->cmdline)
    g_application_command_line_set_exit_status (job->cmdline, status);
  if (status != 0)
    job_status = status;
  g_clear_object (&job->cmdline);
  g_free (job->screenshot);
  g_free (job);
  g_application_release (app);
  g_application_quit (app);
}

static void
on_screenshot_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  g_autoptr (GError) error = NULL;

  if (!lm_window_save_screenshot_finish (LM_WINDOW (source), result, &error))
    {
      g_printerr ("lumen: screenshot failed: %s\n", error->message);
      job_done (job, 1);
      return;
    }
  job_done (job, 0);
}

static void
job_finish (Job *job, gboolean timed_out)
{
  if (job->done)
    return;
  job->done = TRUE;
  g_clear_handle_id (&job->tick_id, g_source_remove);
  g_clear_handle_id (&job->deadline_id, g_source_remove);
  if (job->timings)
    {
      gint64 now = g_get_monotonic_time ();

      if (job->cards_us == 0)
        job->cards_us = now;
      if (job->complete_us == 0)
        job->complete_us = now;
      /* First complete frame: every point of every run on screen (from the
       * summaries while a big run's rows are still read); all rows read:
       * the same charts from the rows themselves. */
      g_print ("lumen timings: runs listed %.0f ms, first screen of cards %.0f ms, "
               "first complete frame %.0f ms, all rows read %.0f ms after start; "
               "%u runs, %" G_GUINT64_FORMAT " points; "
               "RSS %.0f MB (peak %.0f MB)%s\n",
               job->listed_us ? (job->listed_us - start_us) / 1e3 : -1.0,
               (job->cards_us - start_us) / 1e3,
               (job->complete_us - start_us) / 1e3,
               (now - start_us) / 1e3,
               g_list_model_get_n_items (G_LIST_MODEL (lm_window_get_store (job->window))),
               lm_run_store_get_n_points (lm_window_get_store (job->window)),
               status_kb ("VmRSS:") / 1024.0, status_kb ("VmHWM:") / 1024.0,
               timed_out ? " (timed out)" : "");
    }
  if (timed_out)
    g_printerr ("lumen: data still loading after %u s; taking the screenshot anyway\n", job->timeout_s);
  if (job->screenshot != NULL)
    lm_window_save_screenshot_async (job->window, job->screenshot, on_screenshot_saved, job);
  else
    job_done (job, 0);
}

/* --step on the scalars view: every scalar chart selects the step (or the
 * range), as a click on each would. */
static void
select_steps (GtkWidget *widget, gint64 start, gint64 end)
{
  if (LM_IS_CHART (widget))
    lm_chart_select_steps (LM_CHART (widget), start, end);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    select_steps (c, start, end);
}

/* --step on PR Curves: every run's slider on every card at its step
 * nearest `step`, as the user would move each. */
static void
set_pr_steps (GtkWidget *widget, gint64 step)
{
  if (LM_IS_PR_CURVE_VIEW (widget))
    {
      lm_pr_curve_view_set_step (LM_PR_CURVE_VIEW (widget), step);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    set_pr_steps (c, step);
}

static gboolean
job_tick (gpointer user_data)
{
  Job *job = user_data;
  LmRunStore *store = lm_window_get_store (job->window);

  if (job->listed_us == 0 && g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    job->listed_us = g_get_monotonic_time ();
  if (job->cards_us == 0 && lm_card_grid_first_screen_drawn (lm_window_get_card_grid (job->window)))
    job->cards_us = g_get_monotonic_time ();
  if (job->complete_us == 0 && lm_window_is_complete (job->window))
    job->complete_us = g_get_monotonic_time ();
  if (job->sel_pending && lm_window_is_settled (job->window))
    {
      /* the cards are all there now; their tables take a frame or two */
      if (job->pr_step)
        set_pr_steps (GTK_WIDGET (job->window), job->sel_start);
      else
        select_steps (GTK_WIDGET (job->window), job->sel_start, job->sel_end);
      job->sel_pending = FALSE;
      job->sel_wait = 20;
    }
  if (job->sel_wait > 0)
    job->sel_wait--;
  else if (lm_window_is_settled (job->window))
    {
      job->tick_id = 0;
      job_finish (job, FALSE);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
job_deadline (gpointer user_data)
{
  Job *job = user_data;

  job->deadline_id = 0;
  job_finish (job, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_size (const char *s, int *w, int *h)
{
  char *end = NULL;
  gint64 a, b;

  a = g_ascii_strtoll (s, &end, 10);
  if (end == s || (*end != 'x' && *end != 'X'))
    return FALSE;
  s = end + 1;
  b = g_ascii_strtoll (s, &end, 10);
  if (end == s || *end != '\0' || a < 200 || b < 150 || a > 16384 || b > 16384)
    return FALSE;
  *w = (int) a, *h = (int) b;
  return TRUE;
}

/* --smoothing is read as a string: GApplication drops a double option
 * whose value is 0.0, and 0 (no smoothing) is a real choice. */
static gboolean
parse_smoothing (const char *text, double *out)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(v >= 0 && v <= 0.999))
    return FALSE;
  *out = v;
  return TRUE;
}

/* --window-size is the size of the window the user sees, and of its
 * screenshot.  A client-side decorated window's default size also covers
 * the margin GTK keeps around it for the shadow and the resize border (5 px
 * a side under Xvfb, which made a 1400x900 request a 1390x890 window); the
 * margin is known once the window is realized.  GTK reports its left and top
 * sides; the others are taken to be the same (they are, without a
 * compositor, where screenshots are taken).
 * The window cannot be smaller than its contents' minimum (the header
 * bar's eleven view buttons make it 847 px wide at the least; the sidebar
 * scrolls, so the height gives way to about 200 px): a smaller size gets a
 * message naming the size the window (and the screenshot) has instead. */
static char *
set_window_size (LmWindow *window, int width, int height)
{
  double left = 0, top = 0;
  int min_w, min_h, margin_w, margin_h;

  gtk_widget_realize (GTK_WIDGET (window));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &left, &top);
  margin_w = 2 * (int) left, margin_h = 2 * (int) top;
  gtk_window_set_default_size (GTK_WINDOW (window), width + margin_w, height + margin_h);
  /* the window's minimum covers the margin too */
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  min_w -= margin_w;
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, MAX (width, min_w) + margin_w, &min_h, NULL,
                      NULL, NULL);
  min_h -= margin_h;
  if (width >= min_w && height >= min_h)
    return NULL;
  return g_strdup_printf ("lumen: --window-size %dx%d is smaller than the window can be here, %dx%d (the header "
                          "bar's view buttons set its width, the view its height); the window is %dx%d\n",
                          width, height, min_w, min_h, MAX (width, min_w), MAX (height, min_h));
}

static char *
resolve_path (GApplicationCommandLine *cmdline, const char *path)
{
  g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (cmdline, path);

  return g_file_get_path (file);
}

/* The options' values once they are known to be good. */
typedef struct
{
  int width, height;          /* 0: not given */
  LmXAxis axis;
  gboolean axis_given;
  int hist_mode;              /* --histogram-mode: LmHistogramMode; -1: not given */
  double smoothing;           /* -1: not given */
  LmThemeMode theme;
  gboolean theme_given;
  gint64 timeout_s;
  gint64 step, op;            /* -1: not given */
  gint64 step_end;            /* --step A:B on the scalars view: B; else step */
  const char *view;           /* NULL: not given; the strings are the dict's */
  gboolean select_steps;      /* step and step_end are a scalars step selection */
  gboolean link_steps;        /* ... selected linked by step, for the histogram, image or audio cards */
  gboolean pr_step;           /* step is the PR Curves runs' */
  const char *filters[2];     /* --tag-filter, --run-filter: NULL or a good regex */
  const char *color_group;    /* --run-color-group, good; NULL: not given */
  const char *spec;           /* --logdir_spec, good; NULL: not given */
  LmProjectorMethod method;   /* --projector-method */
  gint64 tsne_iterations;     /* -1: not given */
  gint64 umap_epochs;         /* -1: not given */
  const char *select;         /* --projector-select, or NULL */
  gboolean sphereize;         /* --projector-sphereize */
  const char *custom[2];      /* --projector-custom-x and -y (good), or NULL */
  gboolean custom_regex;      /* --projector-custom-regex */
  const char *color_by;       /* --projector-color-by, or NULL */
  gint64 video_frame;         /* 0: not given */
  gboolean mesh_camera;       /* --mesh-camera given: */
  double mesh_yaw, mesh_pitch;   /* its degrees */
} Usage;

/* The --projector-* options (and --tsne-iterations, --umap-epochs) into
 * u, `view` being --view's: NULL, or what is wrong with them. */
static char *
check_projector_usage (GVariantDict *opts, const char *view, Usage *u)
{
  const char *method = NULL, *tsne_iterations = NULL, *umap_epochs = NULL;

  g_variant_dict_lookup (opts, "projector-method", "&s", &method);
  g_variant_dict_lookup (opts, "tsne-iterations", "&s", &tsne_iterations);
  g_variant_dict_lookup (opts, "umap-epochs", "&s", &umap_epochs);
  g_variant_dict_lookup (opts, "projector-select", "&s", &u->select);
  g_variant_dict_lookup (opts, "projector-custom-x", "&s", &u->custom[0]);
  g_variant_dict_lookup (opts, "projector-custom-y", "&s", &u->custom[1]);
  u->sphereize = g_variant_dict_contains (opts, "projector-sphereize");
  u->custom_regex = g_variant_dict_contains (opts, "projector-custom-regex");
  g_variant_dict_lookup (opts, "projector-color-by", "&s", &u->color_by);

  /* the projector's method switch, and where t-SNE or UMAP stops (a
   * screenshot waits for that iteration or epoch) */
  if ((method != NULL || tsne_iterations != NULL || umap_epochs != NULL) && g_strcmp0 (view, "projector") != 0)
    return g_strdup ("lumen: --projector-method, --tsne-iterations and --umap-epochs go with --view projector\n");
  if (method != NULL && g_strcmp0 (method, "pca") != 0 && g_strcmp0 (method, "tsne") != 0
      && g_strcmp0 (method, "umap") != 0 && g_strcmp0 (method, "custom") != 0)
    return g_strdup_printf ("lumen: --projector-method must be pca, tsne, umap or custom; got '%s'\n", method);
  if (u->select != NULL && g_strcmp0 (view, "projector") != 0)
    return g_strdup ("lumen: --projector-select goes with --view projector\n");
  if (u->select != NULL && *u->select == '\0')
    return g_strdup ("lumen: --projector-select needs a point's label or number\n");
  if (u->color_by != NULL && g_strcmp0 (view, "projector") != 0)
    return g_strdup ("lumen: --projector-color-by goes with --view projector\n");
  if (u->color_by != NULL && *u->color_by == '\0')
    return g_strdup ("lumen: --projector-color-by needs a metadata column's name\n");
  u->method = g_strcmp0 (method, "tsne") == 0     ? LM_PROJECTOR_TSNE
              : g_strcmp0 (method, "umap") == 0   ? LM_PROJECTOR_UMAP
              : g_strcmp0 (method, "custom") == 0 ? LM_PROJECTOR_CUSTOM
                                                  : LM_PROJECTOR_PCA;
  if (u->sphereize && (g_strcmp0 (view, "projector") != 0 || u->method != LM_PROJECTOR_PCA))
    return g_strdup ("lumen: --projector-sphereize goes with --view projector and PCA (the default method), as "
                     "TensorBoard's Sphereize data\n");
  if ((u->custom[0] != NULL || u->custom[1] != NULL || u->custom_regex)
      && (g_strcmp0 (view, "projector") != 0 || u->method != LM_PROJECTOR_CUSTOM))
    return g_strdup ("lumen: --projector-custom-x, --projector-custom-y and --projector-custom-regex go with "
                     "--view projector --projector-method custom\n");
  for (int a = 0; a < 2; a++)
    {
      const char *comma = u->custom[a] != NULL ? strchr (u->custom[a], ',') : NULL;

      if (u->custom[a] != NULL && (comma == NULL || comma == u->custom[a] || comma[1] == '\0'))
        return g_strdup_printf ("lumen: --projector-custom-%c expects %s: two label searches split at the first "
                                "comma (e.g. Sneaker,Sandal); got '%s'\n", a == 0 ? 'x' : 'y',
                                a == 0 ? "LEFT,RIGHT" : "UP,DOWN", u->custom[a]);
    }
  if (tsne_iterations != NULL && u->method != LM_PROJECTOR_TSNE)
    return g_strdup ("lumen: --tsne-iterations goes with --projector-method tsne\n");
  if (tsne_iterations != NULL
      && !g_ascii_string_to_signed (tsne_iterations, 10, 1, 100000, &u->tsne_iterations, NULL))
    return g_strdup_printf ("lumen: --tsne-iterations must be a whole number from 1 to 100000; got '%s'\n",
                            tsne_iterations);
  if (umap_epochs != NULL && u->method != LM_PROJECTOR_UMAP)
    return g_strdup ("lumen: --umap-epochs goes with --projector-method umap\n");
  if (umap_epochs != NULL && !g_ascii_string_to_signed (umap_epochs, 10, 1, 100000, &u->umap_epochs, NULL))
    return g_strdup_printf ("lumen: --umap-epochs must be a whole number from 1 to 100000; got '%s'\n",
                            umap_epochs);
  return NULL;
}

/* Every usage check, made before any window exists (the local process
 * runs it first; a command line handed to the running instance runs it
 * again): the message for the first bad option, or NULL.  A window made
 * and destroyed again for a bad --tag-filter left its loaders and its
 * size request behind (GLib criticals, a crash with --screenshot).  The
 * filters compile their regexes the same way (case-insensitive).
 * --screenshot-timeout, --step and --op are strings: GApplication drops an
 * int option whose value is 0 (--screenshot-timeout 0 was ignored, --step
 * 0 is a real step). */
static char *
check_usage (GVariantDict *opts, Usage *u)
{
  static const char *const filters[] = { "tag-filter", "run-filter" };
  const char *size = NULL, *x_axis = NULL, *hist_mode = NULL, *smoothing = NULL, *timeout = NULL;
  const char *step = NULL, *op = NULL;
  const char *view = NULL, *theme = NULL, *spec = NULL;
  g_autofree const char **rest = NULL;

  const char *video_frame = NULL, *mesh_camera = NULL;
  char *msg;

  *u = (Usage) { .axis = LM_X_STEP, .hist_mode = -1, .smoothing = -1, .timeout_s = 120, .step = -1, .op = -1,
                 .tsne_iterations = -1, .umap_epochs = -1 };
  g_variant_dict_lookup (opts, "window-size", "&s", &size);
  g_variant_dict_lookup (opts, "x-axis", "&s", &x_axis);
  g_variant_dict_lookup (opts, "histogram-mode", "&s", &hist_mode);
  g_variant_dict_lookup (opts, "smoothing", "&s", &smoothing);
  g_variant_dict_lookup (opts, "screenshot-timeout", "&s", &timeout);
  g_variant_dict_lookup (opts, "view", "&s", &view);
  g_variant_dict_lookup (opts, "step", "&s", &step);
  g_variant_dict_lookup (opts, "op", "&s", &op);
  g_variant_dict_lookup (opts, "theme", "&s", &theme);
  if (g_variant_dict_contains (opts, "logdir")
      && (g_variant_dict_contains (opts, "logdir_spec") || g_variant_dict_contains (opts, "logdir-spec")))
    return g_strdup ("lumen: --logdir and --logdir_spec cannot be used together (as in TensorBoard); "
                     "--logdir_spec takes name:path,name:path\n");
  if (g_variant_dict_lookup (opts, "logdir_spec", "&s", &spec)
      || g_variant_dict_lookup (opts, "logdir-spec", "&s", &spec))
    {
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) names = NULL, paths = NULL;

      if (!lm_logdir_spec_parse (spec, &names, &paths, &error))
        return g_strdup_printf ("lumen: %s\n", error->message);
      u->spec = spec;
    }
  if (g_variant_dict_lookup (opts, G_OPTION_REMAINING, "^a&ay", &rest) && rest && rest[0])
    return g_strdup_printf ("lumen: unexpected argument '%s' (did you mean --logdir %s?)\n", rest[0], rest[0]);
  if (size != NULL && !parse_size (size, &u->width, &u->height))
    return g_strdup_printf ("lumen: --window-size expects WIDTHxHEIGHT (at least 200x150), e.g. 1400x900; "
                            "got '%s'\n", size);
  u->axis_given = x_axis != NULL;
  if (x_axis != NULL && !lm_x_axis_from_string (x_axis, &u->axis))
    return g_strdup_printf ("lumen: --x-axis must be step, relative or wall; got '%s'\n", x_axis);
  if (hist_mode != NULL)
    {
      LmHistogramMode mode;

      if (!lm_histogram_mode_from_string (hist_mode, &mode))
        return g_strdup_printf ("lumen: --histogram-mode must be offset or overlay; got '%s'\n", hist_mode);
      u->hist_mode = mode;
    }
  u->theme_given = theme != NULL;
  if (theme != NULL && !lm_theme_mode_from_string (theme, &u->theme))
    return g_strdup_printf ("lumen: --theme must be system, light or dark; got '%s'\n", theme);
  if (smoothing != NULL && !parse_smoothing (smoothing, &u->smoothing))
    return g_strdup_printf ("lumen: --smoothing must be between 0 and 0.999; got '%s'\n", smoothing);
  if (timeout != NULL && !g_ascii_string_to_signed (timeout, 10, 1, G_MAXINT32, &u->timeout_s, NULL))
    return g_strdup_printf ("lumen: --screenshot-timeout must be a positive number of seconds; got '%s'\n",
                            timeout);
  /* a screenshot shows every video paused on one frame, the first unless
   * this says which */
  if (g_variant_dict_lookup (opts, "video-frame", "&s", &video_frame) && !g_variant_dict_contains (opts, "screenshot"))
    return g_strdup ("lumen: --video-frame picks the frame videos show in a --screenshot; in the window, "
                     "pause a video on its card\n");
  /* the Mesh cards' initial camera, for screenshots from another side */
  if (g_variant_dict_lookup (opts, "mesh-camera", "&s", &mesh_camera))
    {
      g_auto (GStrv) parts = g_strsplit (mesh_camera, ",", -1);
      char *end0 = NULL, *end1 = NULL;

      if (g_strcmp0 (view, "mesh") != 0)
        return g_strdup ("lumen: --mesh-camera goes with --view mesh\n");
      if (g_strv_length (parts) == 2)
        {
          u->mesh_yaw = g_ascii_strtod (parts[0], &end0);
          u->mesh_pitch = g_ascii_strtod (parts[1], &end1);
        }
      if (g_strv_length (parts) != 2 || end0 == parts[0] || *end0 || end1 == parts[1] || *end1
          || !isfinite (u->mesh_yaw) || !(u->mesh_pitch >= -89 && u->mesh_pitch <= 89))
        return g_strdup_printf ("lumen: --mesh-camera expects YAW,PITCH in degrees, the pitch from -89 to 89 "
                                "(e.g. 30,20); got '%s'\n", mesh_camera);
      u->mesh_camera = TRUE;
    }
  if (video_frame != NULL && !g_ascii_string_to_signed (video_frame, 10, 1, G_MAXINT32, &u->video_frame, NULL))
    return g_strdup_printf ("lumen: --video-frame counts frames from 1; got '%s'\n", video_frame);
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      const char *text = NULL;
      g_autoptr (GRegex) re = NULL;
      g_autoptr (GError) error = NULL;

      if (g_variant_dict_lookup (opts, filters[i], "&s", &text) && text[0] != '\0'
          && (re = g_regex_new (text, G_REGEX_CASELESS, 0, &error)) == NULL)
        return g_strdup_printf ("lumen: --%s: invalid regex: %s\n", filters[i], error->message);
      u->filters[i] = text;
    }
  if (g_variant_dict_lookup (opts, "run-color-group", "&s", &u->color_group))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LmRunColorGroup) group = lm_run_color_group_new (u->color_group, &error);

      if (group == NULL)
        return g_strdup_printf ("lumen: --run-color-group: %s%s\n",
                                error->domain == G_REGEX_ERROR ? "invalid regex: " : "", error->message);
    }
  /* "debugger" is the graph page with its debugger pane open,
   * "hparams-scatter" the hparams page showing its scatter plot matrix */
  if (view != NULL && !g_strv_contains (lm_dashboard_names, view) && g_strcmp0 (view, "debugger") != 0
      && g_strcmp0 (view, "profile") != 0 && g_strcmp0 (view, "hparams-scatter") != 0)
    {
      g_autofree char *names = g_strjoinv (", ", (char **) lm_dashboard_names);

      return g_strdup_printf ("lumen: --view must be one of %s, hparams-scatter, debugger or profile; got '%s'\n",
                              names, view);
    }
  msg = check_projector_usage (opts, view, u);
  if (msg != NULL)
    return msg;
  /* on the scalars view --step is TensorBoard's step selection: a step,
   * or a range A:B, selected on every card; on the histograms, images and
   * audio views the same selection, linked by step (TensorBoard's linked
   * time), which their cards follow */
  if (step != NULL && op == NULL
      && (view == NULL || g_str_equal (view, "scalars") || g_str_equal (view, "histograms")
          || g_str_equal (view, "images") || g_str_equal (view, "audio")))
    {
      const char *name = view != NULL ? view : "scalars";

      if (!g_variant_dict_contains (opts, "screenshot"))
        return g_strdup_printf ("lumen: --step on the %s view selects a step for --screenshot; in the window, "
                                "click a scalar chart (--step also goes with --view pr_curves, debugger, profile "
                                "or graph)\n", name);
      g_auto (GStrv) ends = g_strsplit (step, ":", 3);
      guint n = g_strv_length (ends);

      if (n < 1 || n > 2 || !g_ascii_string_to_signed (ends[0], 10, G_MININT64, G_MAXINT64, &u->step, NULL)
          || !g_ascii_string_to_signed (ends[n - 1], 10, G_MININT64, G_MAXINT64, &u->step_end, NULL))
        return g_strdup_printf ("lumen: --step on the %s view must be a step N or a range A:B of "
                                "steps; got '%s'\n", name, step);
      /* image and audio cards follow the linked step on any axis (their
       * slider is in steps), as TensorBoard's image cards */
      if (x_axis != NULL && u->axis != LM_X_STEP && !g_str_equal (name, "images") && !g_str_equal (name, "audio"))
        return g_strdup_printf ("lumen: --step on the %s view selects steps on a Step axis only (as TensorBoard's "
                                "step selection); drop --x-axis or use --x-axis step (the images and audio views "
                                "follow --step on any axis)\n", name);
      u->view = view;
      u->select_steps = TRUE;
      u->link_steps = !g_str_equal (name, "scalars");
      return NULL;
    }
  /* on PR Curves it is every run's slider, each at its step nearest N */
  if (step != NULL && op == NULL && g_strcmp0 (view, "pr_curves") == 0)
    {
      if (!g_variant_dict_contains (opts, "screenshot"))
        return g_strdup ("lumen: --step on the PR Curves view sets each run's slider for --screenshot; in the "
                         "window, move a run's slider under its card\n");
      if (!g_ascii_string_to_signed (step, 10, G_MININT64, G_MAXINT64, &u->step, NULL))
        return g_strdup_printf ("lumen: --step on the PR Curves view must be a step N (each run shows its step "
                                "nearest N); got '%s'\n", step);
      u->step_end = u->step;
      u->view = view;
      u->pr_step = TRUE;
      return NULL;
    }
  if ((step != NULL || op != NULL) && g_strcmp0 (view, "debugger") != 0 && g_strcmp0 (view, "graph") != 0
      && g_strcmp0 (view, "profile") != 0)
    return g_strdup ("lumen: --step goes with --view scalars, histograms, images, audio, pr_curves, debugger, "
                     "profile or graph, --op with "
                     "--view debugger (or graph)\n");
  if (step != NULL && !g_ascii_string_to_signed (step, 10, 0, G_MAXINT64, &u->step, NULL))
    return g_strdup_printf ("lumen: --step must be a traced step (an integer >= 0); got '%s'\n", step);
  if (op != NULL && !g_ascii_string_to_signed (op, 10, 1, G_MAXINT64, &u->op, NULL))
    return g_strdup_printf ("lumen: --op counts from 1, as the debugger's execution list does; got '%s'\n", op);
  u->view = view;
  return NULL;
}


/* TensorBoard event files in a root (--logdir DIR or a --logdir_spec
 * entry), there at the start or written later, are imported by a
 * background thread into a cache folder
 * (app/import/lm-tb-follow.h), followed about every second; the cache is
 * one more root of the store, under the same name, so the runs show under
 * their source names.  The followers live as long as the window. */
static LmWindow *
new_window_following (GtkApplication *app, LmRunStore *store, const char *const *names,
                      const char *const *paths, gboolean wait_first)
{
  GPtrArray *followers = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_tb_follower_unref);
  LmWindow *window;

  /* every root, event files or not yet: TensorBoard shows a SummaryWriter
   * run started after it, and so must lumen (an empty cache costs a folder
   * and a look at the tree each second) */
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *cache = lm_tb_cache_dir (paths[i]);
      g_ptr_array_add (followers, lm_tb_follower_get (paths[i], cache, 1000, wait_first));
      lm_run_store_add_root (store, names[i], cache);
    }
  window = lm_window_new_for_store (app, store);
  g_object_set_data_full (G_OBJECT (window), "lm-tb-followers", followers,
                          (GDestroyNotify) g_ptr_array_unref);
  return window;
}

/* Open Log Directory (Ctrl+O) in any window: the same as --logdir. */
static LmWindow *
new_window_for_logdir (GtkApplication *app, const char *logdir)
{
  const char *names[] = { "", NULL }, *paths[] = { logdir, NULL };

  return new_window_following (app, lm_run_store_new (logdir), names, paths, FALSE);
}

/* The --projector-* options, on the projector page. */
static void
apply_projector_options (LmProjectorPage *page, const Usage *u)
{
  if (u->method != LM_PROJECTOR_PCA)
    {
      if (u->tsne_iterations > 0)
        lm_projector_page_set_tsne_iterations (page, (guint) u->tsne_iterations);
      if (u->umap_epochs > 0)
        lm_projector_page_set_umap_epochs (page, (guint) u->umap_epochs);
      /* Custom's searches: X Left,Right; Y Up,Down (split at the first comma) */
      for (int a = 0; a < 2; a++)
        if (u->custom[a] != NULL)
          {
            const char *comma = strchr (u->custom[a], ',');
            g_autofree char *first = g_strndup (u->custom[a], (gsize) (comma - u->custom[a]));

            lm_projector_page_set_custom_search (page, a == 0 ? LM_PROJECTOR_CUSTOM_LEFT : LM_PROJECTOR_CUSTOM_UP,
                                                 first, u->custom_regex);
            lm_projector_page_set_custom_search (page, a == 0 ? LM_PROJECTOR_CUSTOM_RIGHT
                                                              : LM_PROJECTOR_CUSTOM_DOWN, comma + 1,
                                                 u->custom_regex);
          }
      lm_projector_page_set_method (page, u->method);
    }
  if (u->sphereize)
    lm_projector_page_set_sphereize (page, TRUE);
  if (u->select != NULL)
    lm_projector_page_select_when_loaded (page, u->select);
  if (u->color_by != NULL)
    lm_projector_page_color_by_when_loaded (page, u->color_by);
}

static int
on_command_line (GApplication *app, GApplicationCommandLine *cmdline, gpointer user_data)
{
  GVariantDict *opts = g_application_command_line_get_options_dict (cmdline);
  const char *logdir_arg = "runs", *screenshot = NULL;
  gboolean timings = FALSE;
  g_autofree char *logdir = NULL, *prefs = NULL, *message = NULL;
  g_autoptr (GError) error = NULL;
  LmWindow *window;
  Usage u;

  message = check_usage (opts, &u);
  if (message != NULL)
    {
      g_application_command_line_printerr (cmdline, "%s", message);
      return 2;
    }
  g_variant_dict_lookup (opts, "logdir", "&s", &logdir_arg);
  g_variant_dict_lookup (opts, "screenshot", "^&ay", &screenshot);
  g_variant_dict_lookup (opts, "timings", "b", &timings);
  /* videos hold still for a screenshot (its own process) */
  if (screenshot != NULL)
    lm_image_card_hold_videos (u.video_frame > 0 ? (int) u.video_frame : 1);
  if (u.mesh_camera)
    lm_mesh_view_set_default_angles (u.mesh_yaw, u.mesh_pitch);

  if (u.spec != NULL)
    {
      g_auto (GStrv) names = NULL, paths = NULL;

      lm_logdir_spec_parse (u.spec, &names, &paths, NULL);   /* checked good above */
      /* relative folders are the calling shell's, as --logdir's are */
      for (guint i = 0; paths[i] != NULL; i++)
        {
          char *abs = resolve_path (cmdline, paths[i]);

          g_free (paths[i]);
          paths[i] = abs;
        }
      window = new_window_following (GTK_APPLICATION (app),
                                     lm_run_store_new_spec ((const char *const *) names,
                                                            (const char *const *) paths),
                                     (const char *const *) names, (const char *const *) paths,
                                     screenshot != NULL);
    }
  else
    {
      const char *names[] = { "", NULL }, *paths[] = { NULL, NULL };

      logdir = resolve_path (cmdline, logdir_arg);
      paths[0] = logdir;
      window = new_window_following (GTK_APPLICATION (app), lm_run_store_new (logdir), names, paths,
                                     screenshot != NULL);
    }
  /* the saved settings first, the command line's on top of them */
  prefs = lm_preferences_default_path ();
  if (!lm_preferences_load (window, prefs, &error))
    {
      g_application_command_line_printerr (cmdline, "lumen: %s\n", error->message);
      g_clear_error (&error);
    }
  if (g_strcmp0 (u.view, "debugger") == 0)
    {
      LmDashboards *dash = lm_window_get_dashboards (window);

      lm_dashboards_set_view (dash, "graph");
      lm_graph_page_show_debugger (LM_GRAPH_PAGE (lm_dashboards_get_page (dash, "graph")), TRUE);
    }
  else if (g_strcmp0 (u.view, "profile") == 0)
    {
      /* the graph page, coloured by compute time, with its Profile pane */
      LmDashboards *dash = lm_window_get_dashboards (window);

      lm_dashboards_set_view (dash, "graph");
      lm_graph_page_show_profile (LM_GRAPH_PAGE (lm_dashboards_get_page (dash, "graph")));
    }
  else if (g_strcmp0 (u.view, "hparams-scatter") == 0)
    {
      LmDashboards *dash = lm_window_get_dashboards (window);

      lm_dashboards_set_view (dash, "hparams");
      lm_hparams_view_set_plot (LM_HPARAMS_VIEW (lm_dashboards_get_page (dash, "hparams")), "scatter");
    }
  else if (u.view != NULL)
    lm_dashboards_set_view (lm_window_get_dashboards (window), u.view);
  apply_projector_options (LM_PROJECTOR_PAGE (lm_dashboards_get_page (lm_window_get_dashboards (window),
                                                                   "projector")), &u);
  if (!u.select_steps && !u.pr_step && (u.step >= 0 || u.op >= 1))
    lm_graph_page_set_target (LM_GRAPH_PAGE (lm_dashboards_get_page (lm_window_get_dashboards (window), "graph")),
                              u.step, u.op);
  if (u.width > 0)
    {
      g_autofree char *msg = set_window_size (window, u.width, u.height);

      if (msg != NULL)
        g_application_command_line_printerr (cmdline, "%s", msg);
    }
  if (u.theme_given)
    lm_theme_set_mode (u.theme);
  if (u.smoothing != -1)
    lm_chart_settings_set_smoothing (lm_window_get_settings (window), u.smoothing);
  if (u.hist_mode >= 0)
    lm_record_dashboard_set_histogram_mode (LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (window),
                                                                                         "histograms")),
                                            u.hist_mode);
  if (u.axis_given)
    lm_chart_settings_set_x_axis (lm_window_get_settings (window), u.axis);
  /* --step without --x-axis: the Step axis, where scalar and histogram
   * cards show the selection, whatever settings.ini says (a screenshot
   * keeps no settings) */
  else if (u.select_steps)
    lm_chart_settings_set_x_axis (lm_window_get_settings (window), LM_X_STEP);
  if (u.link_steps)
    {
      /* linked by step from the start: the cards are made following it */
      LmChartSettings *settings = lm_window_get_settings (window);
      LmStepSelection sel = { .active = TRUE, .range = u.step != u.step_end, .start = u.step, .end = u.step_end };

      lm_chart_settings_set_step_selection (settings, TRUE);
      lm_chart_settings_set_link_by_step (settings, TRUE);
      lm_chart_settings_set_linked_steps (settings, &sel);
    }
  /* both compile: check_usage above */
  if (u.filters[0] != NULL)
    lm_dashboards_set_tag_filter (lm_window_get_dashboards (window), u.filters[0], NULL);
  if (u.filters[1] != NULL)
    lm_run_list_set_filter (lm_window_get_run_list (window), u.filters[1], NULL);
  if (u.color_group != NULL)
    lm_run_list_set_color_group (lm_window_get_run_list (window), u.color_group, NULL);
  /* What the user changes from now on is kept; a screenshot or timing run
   * changes nothing. */
  if (screenshot == NULL && !timings)
    lm_preferences_track (window, prefs);
  gtk_window_present (GTK_WINDOW (window));

  if (screenshot != NULL || timings)
    {
      Job *job = g_new0 (Job, 1);

      job->window = window;
      job->cmdline = g_object_ref (cmdline);
      job->screenshot = screenshot ? resolve_path (cmdline, screenshot) : NULL;
      job->timings = timings;
      job->timeout_s = (guint) u.timeout_s;
      job->sel_pending = (u.select_steps && !u.link_steps) || u.pr_step;
      job->pr_step = u.pr_step;
      job->sel_start = u.step;
      job->sel_end = u.step_end;
      g_application_hold (app);
      job->tick_id = g_timeout_add (10, job_tick, job);
      job->deadline_id = g_timeout_add_seconds (job->timeout_s, job_deadline, job);
    }
  return 0;
}

/* Checks that need no display and no running instance: bad input gets a
 * message and exit status 2 right here. */
static int
on_local_options (GApplication *app, GVariantDict *opts, gpointer user_data)
{
  g_autofree char *message = NULL;
  Usage u;

  if (g_variant_dict_contains (opts, "version"))
    {
      g_print ("lumen 0.1.0\n");
      return 0;
    }
  message = check_usage (opts, &u);
  if (message != NULL)
    {
      g_printerr ("%s", message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("lumen: cannot open a display (DISPLAY or WAYLAND_DISPLAY); without one, run "
                  "screenshots under Xvfb: xvfb-run -a lumen --logdir DIR --screenshot FILE.png\n");
      return 1;
    }
  return -1;   /* go on */
}

/* Ctrl+Q: what closing each window would save (its size, a change still
 * waiting) is saved first; g_application_quit closes nothing itself. */
static void
on_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (LM_IS_WINDOW (l->data))
      lm_preferences_flush (l->data);
  g_application_quit (app);
}

/* Without a session bus (a bare Xvfb, a container, ssh) GApplication
 * runs as a lone instance, silently, but GTK's accessibility looks for
 * the AT-SPI bus through the session bus at the first window and prints
 * "Unable to acquire session bus"; there is no screen reader to reach
 * then, so accessibility is left off, as GTK_A11Y=none does, unless the
 * user chose a backend (GTK_A11Y) or gave the AT-SPI bus's address.
 * With a session bus nothing changes: one instance, accessibility on.
 * Called at startup, before any widget reads GTK_A11Y. */
static void
a11y_without_bus (GApplication *app)
{
  if (g_application_get_dbus_connection (app) == NULL && g_getenv ("GTK_A11Y") == NULL
      && g_getenv ("AT_SPI_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", TRUE);
}

static void
on_startup (GApplication *app, gpointer user_data)
{
  const char *quit[] = { "<Primary>q", NULL };
  GSimpleAction *action = g_simple_action_new ("quit", NULL);

  g_signal_connect (action, "activate", G_CALLBACK (on_quit), app);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (action));
  g_object_unref (action);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit);
  lm_window_install_accels (GTK_APPLICATION (app));
  lm_window_set_new_func (new_window_for_logdir);
  a11y_without_bus (app);
}

/* TensorBoard's server options: Lumen has no server to give them to. */
static const char *
server_option (int argc, char **argv)
{
  static const char *const names[] = { "--port", "--host", "--bind_all", "--bind-all", NULL };

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    for (int k = 0; names[k] != NULL; k++)
      {
        size_t len = strlen (names[k]);

        if (strncmp (argv[i], names[k], len) == 0 && (argv[i][len] == '\0' || argv[i][len] == '='))
          return names[k];
      }
  return NULL;
}

/* Usage errors GApplication would report as "Unknown option --port" (no
 * "lumen:", exit status 1) are found here first, by parsing a copy of the
 * command line with the same options: "lumen: unknown option --port", a
 * pointer to --help, exit status 2 like every other usage error. */
static int
check_options (const GOptionEntry *entries, int argc, char **argv)
{
  /* what GApplication adds: help (-h, -?) and its own options */
  static const char *const extra[] = { "help", "help-all", "help-gapplication", "gapplication-service", NULL };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) copy = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_auto (GStrv) args = g_strdupv (argv);
  gboolean flag_sink = FALSE, help_sink = FALSE;
  char *string_sink = NULL, **strv_sink = NULL;
  int int_sink = 0;
  const char *server = server_option (argc, argv);
  gboolean ok;

  if (server != NULL)
    {
      g_printerr ("lumen: %s: Lumen is a desktop app, not a server like TensorBoard: there is no port to "
                  "open a browser on; `lumen --logdir DIR` opens its window (see lumen --help)\n", server);
      return 2;
    }
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    {
      GOptionEntry c = *e;

      switch (c.arg)
        {
        case G_OPTION_ARG_NONE: c.arg_data = &flag_sink; break;
        case G_OPTION_ARG_INT: c.arg_data = &int_sink; break;
        case G_OPTION_ARG_STRING:
        case G_OPTION_ARG_FILENAME: c.arg_data = &string_sink; break;
        default: c.arg_data = &strv_sink; break;
        }
      g_array_append_val (copy, c);
    }
  for (int k = 0; extra[k] != NULL; k++)
    {
      GOptionEntry c = { extra[k], k == 0 ? 'h' : 0, 0, G_OPTION_ARG_NONE, &help_sink, NULL, NULL };

      g_array_append_val (copy, c);
    }
  {
    GOptionEntry c = { "help-short", '?', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &help_sink, NULL, NULL };

    g_array_append_val (copy, c);
  }
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_add_main_entries (ctx, (const GOptionEntry *) (void *) copy->data, NULL);
  ok = g_option_context_parse_strv (ctx, &args, &error);
  g_free (string_sink);
  g_strfreev (strv_sink);
  if (ok)
    return 0;
  if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION)
      && g_str_has_prefix (error->message, "Unknown option "))
    {
      /* the option's name, without a value given as --name=value */
      const char *name = error->message + strlen ("Unknown option ");

      g_printerr ("lumen: unknown option %.*s; lumen --help lists the options\n", (int) strcspn (name, "="), name);
    }
  else
    g_printerr ("lumen: %s; lumen --help lists the options\n", error->message);
  return 2;
}

int
main (int argc, char **argv)
{
  static const GOptionEntry entries[] = {
    { "logdir", 'l', 0, G_OPTION_ARG_STRING, NULL,
      "Log directory to watch (default: ./runs); every run.lumen below it is a run; TensorBoard event files there are imported and followed too", "DIR" },
    { "logdir_spec", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Several log directories in one window, as TensorBoard's --logdir_spec: name:path,name:path "
      "(the runs under path shown as name/<run>; a path without 'name:' keeps its runs' names)",
      "SPEC" },
    { "logdir-spec", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL, NULL, "SPEC" },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      "Render the window to FILE.png once the data is loaded, then exit", "FILE.png" },
    { "window-size", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Window (and screenshot) size, e.g. 1400x900; no smaller than the window can be (about 850x200: "
      "a smaller size is named on stderr with the size used)", "WxH" },
    { "tag-filter", 0, 0, G_OPTION_ARG_STRING, NULL, "Show only tags matching this regex", "REGEX" },
    { "run-filter", 0, 0, G_OPTION_ARG_STRING, NULL, "Show only runs matching this regex", "REGEX" },
    { "run-color-group", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Color runs by run (each its own colour, the default), experiment (one colour per --logdir_spec entry) or "
      "regex:REGEX (runs grouped by what the regex's capture groups match in their names, the others grey), as "
      "TensorBoard's \"Color runs by\" and its runColorGroup", "run|experiment|regex:REGEX" },
    { "smoothing", 0, 0, G_OPTION_ARG_STRING, NULL, "Smoothing weight 0..0.999 (default 0.6)", "W" },
    { "x-axis", 0, 0, G_OPTION_ARG_STRING, NULL, "Horizontal axis: step (the default), relative or wall", "AXIS" },
    { "histogram-mode", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Histogram cards: offset (one curve per step, stacked by step; the default) or overlay (all on one "
      "baseline), as TensorBoard's Histogram mode", "MODE" },
    { "theme", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Light or dark charts and dashboards: system (follow the desktop, the default), light or dark", "MODE" },
    { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Dashboard to open: scalars (the default), histograms, distributions, images, audio, text, pr_curves, hparams, "
      "hparams-scatter (hparams with its scatter plot matrix), graph, projector, mesh, debugger or profile (the "
      "graph by compute time with its op-time table)", "VIEW" },
    { "timings", 0, 0, G_OPTION_ARG_NONE, NULL,
      "Print start-up timings and memory once the data is shown, then exit", NULL },
    { "step", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view debugger: the traced step to show (default: the first with a NaN/Inf, else the last); "
      "with --view graph or profile: the graph holding that step; "
      "with --screenshot on the scalars view: the step N, or the range A:B, to select on every card (on the "
      "histograms, images or audio view: selected linked by step, which those cards follow); with "
      "--screenshot on the pr_curves view: the step N each run's slider shows (its nearest)", "N" },
    { "op", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view debugger: the op to stop on, numbered from 1 as in the execution list", "SEQ" },
    { "projector-method", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view projector: pca (the default), tsne, umap or custom, as TensorBoard's method switch", "METHOD" },
    { "projector-sphereize", 0, 0, G_OPTION_ARG_NONE, NULL,
      "With --view projector and PCA: sphereize the data first (each point shifted by the centroid and made unit "
      "norm), as TensorBoard's Sphereize data", NULL },
    { "projector-custom-x", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --projector-method custom: the X axis's Left and Right label searches, split at the first comma "
      "(e.g. Sneaker,Sandal): X runs from the mean of Left's points to the mean of Right's", "LEFT,RIGHT" },
    { "projector-custom-y", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --projector-method custom: the Y axis's Up and Down label searches (e.g. Bag,Shirt): Y runs from the "
      "mean of Down's points to the mean of Up's", "UP,DOWN" },
    { "projector-custom-regex", 0, 0, G_OPTION_ARG_NONE, NULL,
      "With --projector-method custom: the searches are regular expressions (case-insensitive), not substrings",
      NULL },
    { "tsne-iterations", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --projector-method tsne: the iteration t-SNE stops at (default 1000); a screenshot waits for it",
      "N" },
    { "umap-epochs", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --projector-method umap: the epochs UMAP runs (default 500 up to 2,500 points, 400 up to 5,000, as "
      "TensorBoard's umap-js); a screenshot waits for the last", "N" },
    { "projector-select", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view projector: select the first point with this label (else the point of this number, from 0) "
      "and list its nearest neighbours, as a click on it does", "LABEL|N" },
    { "projector-color-by", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view projector: colour the points by this metadata column (add_embedding's metadata_header), "
      "as Color by does", "COLUMN" },
    { "video-frame", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --screenshot: the frame every video shows, paused (from 1; default 1, the first; a shorter "
      "video shows its last)", "N" },
    { "mesh-camera", 0, 0, G_OPTION_ARG_STRING, NULL,
      "With --view mesh: the initial camera of every mesh card, yaw and pitch in degrees (default 30,20; 0,0 "
      "looks down -z, as Three.js' default camera)", "YAW,PITCH" },
    { "screenshot-timeout", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Seconds to wait for data before a screenshot anyway (default 120)", "S" },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version and exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, NULL },
    { NULL }
  };
  GApplicationFlags flags = G_APPLICATION_HANDLES_COMMAND_LINE;
  GtkApplication *app;
  int status;

  /* The user's locale before any option is read: GLib converts string
   * options from it, and in the C locale a UTF-8 argument (a tag filter
   * 'cödé', a log directory ~/expériences) failed with "Invalid byte
   * sequence in conversion input". GTK would set it, but only later. */
  setlocale (LC_ALL, "");
  status = check_options (entries, argc, argv);
  if (status != 0)
    return status;

  start_us = g_get_monotonic_time ();
#ifdef __GLIBC__
  /* Loading streams big short-lived row buffers through worker threads;
   * with a fixed mmap threshold they go back to the system when freed
   * instead of lingering in per-thread heaps (about 70 MB less peak for
   * ten million points). */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
#endif
  /* Screenshots and timings must never be handed to a running instance. */
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--screenshot") || strcmp (argv[i], "--timings") == 0)
      flags |= G_APPLICATION_NON_UNIQUE;

  app = gtk_application_new (APP_ID, flags);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_application_set_option_context_summary (G_APPLICATION (app),
    "Live charts of the training runs in a log directory (like tensorboard --logdir).");
  g_application_set_option_context_description (G_APPLICATION (app),
    "Settings you change in the window (smoothing, horizontal axis, ignore outliers, tooltip sorting,\n"
    "step selection, link by step, histogram mode, appearance, window size; per log directory the\n"
    "pinned cards, run colours and \"Color runs by\") are kept in $XDG_CONFIG_HOME/lumen/settings.ini\n"
    "(~/.config/lumen/settings.ini); the options above apply on top of them for one session.");
  g_signal_connect (app, "handle-local-options", G_CALLBACK (on_local_options), NULL);
  g_signal_connect (app, "startup", G_CALLBACK (on_startup), NULL);
  g_signal_connect (app, "command-line", G_CALLBACK (on_command_line), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_object_unref (app);
  return status != 0 ? status : job_status;
}
