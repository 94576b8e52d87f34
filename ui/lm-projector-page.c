/* lm-projector-page.c: the Projector dashboard (see lm-projector-page.h).
 *
 * One GTask does everything slow: it lists every run's embeddings (a small
 * query each), picks the run and tensor (the asked-for ones, else the
 * first run that has any, its first tag at its latest step, as TensorBoard
 * opens the first tensor), loads it and runs the PCA, timing it.  A
 * generation counter drops stale results.
 *
 * Live: while the page is shown, a poll every POLL_MS lists the runs again
 * (a stat of each run file and its -wal per poll; a run is queried only
 * when those changed, as a WAL writer's commit changes them).  New runs or
 * tensors update the lists; the view is reloaded only when the shown
 * tensor changes: when it was its tag's newest step and a newer step
 * arrives it follows it, keeping the camera (rotation, zoom, 2D, search).
 *
 * t-SNE or UMAP (the method switch) runs in a thread of its own on the
 * tensor on screen (a random sample of LM_TSNE_MAX_POINTS when it has
 * more, then the view shows that sample): it sets up (cosine
 * neighbours on the original vectors, as TensorBoard's, then the
 * perplexity or UMAP's fuzzy graph), then steps
 * (an iteration, or a UMAP epoch) until run->iterations, posting the
 * layout to the main thread at most every POST_MS (an idle that copies
 * the newest layout; the worker never waits for it).  Re-running, a new
 * tensor, a new perplexity or Neighbors, 2D/3D or another method tells the worker
 * to stop (its cancellable, checked every row of the set-up and between
 * steps) and forgets it: its late posts are dropped, and it frees itself.
 * One worker at a time: the new run waits until the stopped one has said
 * it is gone (an idle), and a newer change replaces a waiting run, so
 * holding the perplexity arrow keeps one set-up running and one pending
 * rather than a thread per value.  The learning rate changes the running
 * one's next step, as TensorBoard's slider does.
 *
 * The inspector (TensorBoard's, in the side pane): a click on a point
 * selects it; its k nearest neighbours in the original space come from a
 * GTask (lm_embedding_nearest on a shared copy of the matrix, so the
 * tensor on screen may change under it; a newer selection cancels it).
 * Indices are the view's points (t-SNE's sample, an isolated set).  A
 * search lists its matches instead.  Isolate makes the selection the
 * view's data and runs the method on it (PCA in a GTask, t-SNE or UMAP
 * laid out again, Custom at once);
 * Show all data loads the tensor again, the chosen point still chosen.
 *
 * Metadata columns (add_embedding's metadata_header): the row under the
 * bar offers Label by, Color by and Search by (the view does the
 * colouring); it keeps its choices while the data on screen keeps the
 * same columns, and the inspector lists the chosen point's every column.
 *
 * Sphereize data (PCA's check, as TensorBoard's) runs the PCA on a
 * sphereized copy; the view keeps the logged vectors (the inspector's
 * neighbours are in the original space).  Custom, TensorBoard's custom
 * projection, is computed on the main thread (a search and two dot
 * products a point: about 10 ms for 10,000 x 784) from the four
 * label searches whenever one changes; the view shows it flat.
 *
 * A layout that gives some points a NaN or infinite coordinate keeps the
 * rest on screen and says how many are missing, and why, in the status
 * line (show_status).
 */
#include "lm-projector-page.h"

#include <glib/gstdio.h>

#include "lm-axis.h"
#include "lm-run.h"
#include "lm-tsne.h"
#include "lm-umap.h"
#include "lm-wrap-layout.h"

/* Writer commits every 250 ms at most; a poll as often keeps a new
 * embedding under a second from the commit to the screen. */
#define POLL_MS 250
/* t-SNE's layout reaches the screen at most this often (a frame or two). */
#define POST_MS 30
/* TensorBoard's neighbour count: its default and most */
#define NN_DEFAULT 100
#define NN_MAX 100
/* most search matches listed (the rest are counted) */
#define MATCH_ROWS 500

static const char *const learning_rates[] = { "1", "10", "100", "1000", "10000", NULL };

/* One t-SNE or UMAP run: the worker thread and the page share it
 * (atomic reference counts); `lock` guards what both touch. */
typedef struct
{
  GMutex lock;
  GCond wake;                  /* pause lifted or stop asked */
  gboolean stop, paused;
  GCancellable *cancel;        /* cancelled with stop, for the set-up */
  gboolean launched;           /* its thread was started (main thread) */
  double learning_rate;
  /* set before the thread starts, then read only */
  LmProjectorMethod method;    /* LM_PROJECTOR_TSNE or LM_PROJECTOR_UMAP */
  float *mat;
  gsize n, d;
  int dim;
  double perplexity;           /* t-SNE's */
  guint neighbors;             /* UMAP's */
  guint64 seed;
  guint iterations;            /* t-SNE's iterations, UMAP's epochs */
  GWeakRef page;
  /* the worker's latest, for the main thread */
  float *coords;               /* n x 3 */
  guint iteration;
  gsize input_dims;
  gboolean started, done, posted;
  char *error;
  gint64 last_post_us;
} LayoutRun;

/* One of Custom's searches as last run: its text, its matches (idx,
 * got: their number, -1 a bad regex), what is wrong with it (or NULL). */
typedef struct
{
  char *pattern;
  gboolean regex;
  guint32 *idx;
  gssize got;
  char *problem;
} CustomSearch;

/* One of Custom's axes as last computed from its searches' matches
 * (valid: still so): drawn or not, its direction, what is wrong. */
typedef struct
{
  gboolean valid, ok;
  double *dir;
  char *problem;
} CustomAxis;

struct _LmProjectorPage
{
  GtkBox parent_instance;

  LmRunStore *store;
  GtkWidget *run_drop, *tensor_drop, *flat_toggle, *thumb_check, *search, *status, *stack, *view, *empty;
  GtkWidget *damaged;          /* why the chosen tensor cannot be shown */
  GtkWidget *method_drop, *tsne_bar, *perp_spin, *lr_drop, *rerun_button, *pause_button, *iter_label;
  GtkWidget *tsne_opts, *umap_opts, *umap_spin;   /* the bar's t-SNE and UMAP settings */
  GtkWidget *sphereize_check;  /* PCA's "Sphereize data" */
  /* Custom: a search for each end of the axes (LmProjectorCustomEnd's
   * order), its regex toggle and its count of matches */
  GtkWidget *custom_bar, *custom_entry[4], *custom_regex[4], *custom_count[4];
  /* Custom's searches and axes as last run (custom_apply), so that a
   * keystroke runs its own search again and the axis it ends, the rest
   * kept; of custom_src's values in custom_of (the view's data) */
  CustomSearch custom_searches[4];
  CustomAxis custom_axes[2];
  float *custom_coords;
  const LmEmbedding *custom_of, *custom_src;
  char **custom_values;
  guint custom_searches_run;
  /* the inspector */
  GtkWidget *columns_bar, *label_box, *label_drop, *color_box, *color_drop, *search_by_box, *search_drop;
  GtkStringList *column_list, *color_list;   /* the dropdowns' models */
  char **columns;              /* the column names they offer, NULL none */
  gboolean syncing;            /* columns_sync is filling them */
  GtkWidget *side, *insp_title, *insp_meta, *insp_thumb, *nn_spin, *metric_drop, *list_caption, *list, *list_more;
  GtkWidget *isolate_button, *show_all_button;
  int selected;                /* the chosen point (the view's index), -1 none */
  guint32 *nn_idx;             /* its neighbours, nearest first */
  float *nn_dist;
  gsize nn_n;
  guint32 *matches;            /* the search's matches when no point is chosen */
  gsize n_matches;
  GBytes *nn_mat;              /* the view's matrix for the kNN workers, made on first use */
  GCancellable *nn_cancel;     /* the kNN running, or NULL */
  double nn_ms;
  gboolean isolated, isolating;
  guint32 *iso_map;            /* isolated: each point's index in the whole tensor, or NULL */
  LmEmbedding *whole;          /* isolated: the data they were isolated from (Custom's searches look in it) */
  gint64 reselect;             /* a point to choose once the tensor is back (-1 none) */
  char *want_select;           /* lm_projector_page_select_when_loaded's */
  char *want_color;            /* lm_projector_page_color_by_when_loaded's */
  LmProjectorMethod method;
  LayoutRun *layout;           /* the t-SNE or UMAP on screen, or NULL */
  guint layout_seed;           /* bumped by Re-run */
  guint tsne_iterations;       /* where a t-SNE run stops */
  guint umap_epochs;           /* where a UMAP run stops (0: lm_umap_default_epochs) */
  guint layout_shown;          /* the iteration (epoch) on screen */
  gsize sampled_of;            /* the tensor's points when the layout runs on a sample, else 0 */
  LayoutRun *layout_worker;    /* the run whose thread is alive (a ref), or NULL */
  guint layout_started;        /* worker threads started (for tests) */
  char *pca_status;            /* the PCA line, for going back to it */
  GtkStringList *run_names, *tensor_names;
  GPtrArray *runs;             /* RunEmbeddings of the last load */
  char *run_name;              /* shown run, or NULL */
  gint64 tensor_id;            /* shown embedding, -1 none */
  char *status_text;
  char *status_base;           /* the method's line, before show_status's note */
  double pca_ms;
  guint generation;
  gboolean loading, updating, settled;
  GHashTable *cache;           /* path -> Listing, of the last finished job */
  guint poll_id;
  guint64 n_polls_changed;     /* polls that found a change (for tests) */
};

G_DEFINE_FINAL_TYPE (LmProjectorPage, lm_projector_page, GTK_TYPE_BOX)

typedef struct
{
  char *name, *path;
  GPtrArray *infos;            /* LmEmbeddingInfo */
} RunEmbeddings;

static void
run_embeddings_free (gpointer p)
{
  RunEmbeddings *r = p;

  g_free (r->name);
  g_free (r->path);
  g_ptr_array_unref (r->infos);
  g_free (r);
}

/* A run's embeddings as listed, with the file's state when listed. */
typedef struct
{
  gint64 sig[4];               /* size and mtime of the file and its -wal */
  GPtrArray *infos;            /* NULL when it could not be read */
  char *error;
} Listing;

static void
listing_clear (gpointer p)
{
  Listing *l = p;

  g_clear_pointer (&l->infos, g_ptr_array_unref);
  g_free (l->error);
}

static void
listing_unref (gpointer p)
{
  g_rc_box_release_full (p, listing_clear);
}

static void
file_sig (const char *path, gint64 sig[4])
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  const char *files[2] = { path, wal };

  for (int f = 0; f < 2; f++)
    {
      GStatBuf st;

      if (g_stat (files[f], &st) != 0)
        sig[2 * f] = sig[2 * f + 1] = -1;
      else
        {
          sig[2 * f] = st.st_size;
          /* nanoseconds where the file system keeps them */
          sig[2 * f + 1] = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
        }
    }
}

/* path's listing: `prev`'s when the file has not changed since, else read
 * now; a new reference. */
static Listing *
list_run (GHashTable *prev, const char *path)
{
  Listing *old = prev ? g_hash_table_lookup (prev, path) : NULL;
  Listing *l;
  gint64 sig[4];

  file_sig (path, sig);
  if (old != NULL && memcmp (old->sig, sig, sizeof sig) == 0)
    return g_rc_box_acquire (old);
  l = g_rc_box_new0 (Listing);
  memcpy (l->sig, sig, sizeof sig);
  l->infos = lm_embedding_list (path, &l->error);
  return l;
}

typedef struct
{
  guint generation;
  gboolean poll;               /* a live check: load only a different tensor */
  gint64 shown_id;             /* the tensor on screen (-1: none) */
  char *follow_tag;            /* shown tensor is its tag's newest: follow newer steps */
  GHashTable *prev, *cache;    /* listings: the page's (read only), and this job's */
  GPtrArray *names, *paths;    /* every run, in store order */
  char *want_run;              /* NULL: the first with embeddings */
  gint64 want_id;              /* -1: the run's first tensor */
  gboolean sphereize;          /* PCA on the sphereized vectors */
  /* results */
  GPtrArray *runs;             /* RunEmbeddings, only runs that have some */
  int chosen_run;
  gint64 chosen_id;
  LmEmbedding *e;
  float *coords;
  double explained[3], pca_ms;
  char *error;
  gboolean same_tensor;        /* poll: the shown tensor stays; nothing loaded */
} Job;

static void
job_free (gpointer p)
{
  Job *job = p;

  g_ptr_array_unref (job->names);
  g_ptr_array_unref (job->paths);
  g_clear_pointer (&job->prev, g_hash_table_unref);
  g_clear_pointer (&job->cache, g_hash_table_unref);
  g_free (job->follow_tag);
  g_free (job->want_run);
  if (job->runs)
    g_ptr_array_unref (job->runs);
  lm_embedding_free (job->e);
  g_free (job->coords);
  g_free (job->error);
  g_free (job);
}

/* The tensor a run opens on: the first tag's latest step. */
static gint64
default_tensor (GPtrArray *infos)
{
  LmEmbeddingInfo *first = g_ptr_array_index (infos, 0);
  gint64 id = first->id;

  for (guint k = 1; k < infos->len; k++)
    {
      LmEmbeddingInfo *info = g_ptr_array_index (infos, k);

      if (g_strcmp0 (info->tag, first->tag) == 0)
        id = info->id;
    }
  return id;
}

/* The PCA of e's vectors, sphereized first when asked (on a copy). */
static gboolean
pca_maybe_sphereized (const LmEmbedding *e, gboolean sphereize, float *coords, double *explained, char **error)
{
  if (sphereize)
    return lm_embedding_pca_sphereized (e->mat, e->n, e->d, 3, coords, explained, error);
  return lm_embedding_pca (e->mat, e->n, e->d, 3, coords, explained, NULL, error);
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  char *first_error = NULL;

  job->runs = g_ptr_array_new_with_free_func (run_embeddings_free);
  job->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, listing_unref);
  job->chosen_run = -1;
  job->chosen_id = -1;
  for (guint i = 0; i < job->paths->len; i++)
    {
      const char *path = g_ptr_array_index (job->paths, i);
      Listing *l = list_run (job->prev, path);

      g_hash_table_replace (job->cache, g_strdup (path), l);
      if (l->infos == NULL || l->infos->len == 0)
        {
          if (first_error == NULL)
            first_error = g_strdup (l->error);
          continue;
        }
      RunEmbeddings *r = g_new0 (RunEmbeddings, 1);
      r->name = g_strdup (g_ptr_array_index (job->names, i));
      r->path = g_strdup (path);
      r->infos = g_ptr_array_ref (l->infos);
      g_ptr_array_add (job->runs, r);
      if (job->chosen_run < 0 || g_strcmp0 (job->want_run, r->name) == 0)
        job->chosen_run = (int) job->runs->len - 1;
    }
  if (job->chosen_run < 0)
    {
      job->error = first_error;
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_free (first_error);
  RunEmbeddings *r = g_ptr_array_index (job->runs, job->chosen_run);
  for (guint k = 0; k < r->infos->len && job->want_id >= 0; k++)
    {
      LmEmbeddingInfo *info = g_ptr_array_index (r->infos, k);

      if (info->id == job->want_id)
        job->chosen_id = job->want_id;
    }
  /* the newest step of the followed tag (infos are in (tag, step) order) */
  for (guint k = 0; k < r->infos->len && job->follow_tag != NULL && job->chosen_id >= 0
                    && g_strcmp0 (r->name, job->want_run) == 0; k++)
    {
      LmEmbeddingInfo *info = g_ptr_array_index (r->infos, k);

      if (g_strcmp0 (info->tag, job->follow_tag) == 0)
        job->chosen_id = info->id;
    }
  if (job->chosen_id < 0)
    job->chosen_id = default_tensor (r->infos);
  if (job->poll && job->chosen_id == job->shown_id)
    {
      job->same_tensor = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  job->e = lm_embedding_load (r->path, job->chosen_id, &job->error);
  if (job->e != NULL)
    {
      gint64 t0 = g_get_monotonic_time ();

      job->coords = g_new (float, job->e->n * 3);
      if (!pca_maybe_sphereized (job->e, job->sphereize, job->coords, job->explained, &job->error))
        g_clear_pointer (&job->e, lm_embedding_free);
      job->pca_ms = (g_get_monotonic_time () - t0) / 1000.0;
    }
  g_task_return_boolean (task, TRUE);
}

/* The status line: the method's line and, when some points have no
 * place (a NaN or infinite coordinate), how many and why, so the view
 * never loses points without a word. */
static void
show_status (LmProjectorPage *self)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);
  const LmEmbedding *e = lm_projector_view_get_embedding (view);
  gsize hidden = lm_projector_view_get_n_hidden (view), first = 0, bad;
  g_autofree char *why = NULL;

  g_free (self->status_text);
  if (e == NULL || hidden == 0)
    {
      self->status_text = g_strdup (self->status_base);
      gtk_label_set_text (GTK_LABEL (self->status), self->status_text);
      return;
    }
  bad = lm_embedding_count_nonfinite (e->mat, e->n, e->d, &first);
  why = bad > 0 ? g_strdup_printf ("%zu %s NaN or infinite values, the first #%zu", bad,
                                   bad == 1 ? "vector holds" : "vectors hold", first)
                : g_strdup ("the projection passes float32's range");
  self->status_text = g_strdup_printf ("%s — %zu of %zu points not drawn: NaN or infinite coordinates (%s)",
                                       self->status_base, hidden, e->n, why);
  gtk_label_set_text (GTK_LABEL (self->status), self->status_text);
}

static void
set_status (LmProjectorPage *self, const char *text)
{
  g_free (self->status_base);
  self->status_base = g_strdup (text ? text : "");
  show_status (self);
}

static void
fill_drops (LmProjectorPage *self, Job *job)
{
  self->updating = TRUE;
  gtk_string_list_splice (self->run_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->run_names)), NULL);
  gtk_string_list_splice (self->tensor_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tensor_names)),
                          NULL);
  for (guint i = 0; i < job->runs->len; i++)
    gtk_string_list_append (self->run_names, ((RunEmbeddings *) g_ptr_array_index (job->runs, i))->name);
  if (job->chosen_run >= 0)
    {
      RunEmbeddings *r = g_ptr_array_index (job->runs, job->chosen_run);

      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->run_drop), (guint) job->chosen_run);
      for (guint k = 0; k < r->infos->len; k++)
        {
          LmEmbeddingInfo *info = g_ptr_array_index (r->infos, k);
          g_autofree char *s = g_strdup_printf ("%s · step %" G_GINT64_FORMAT " · %" G_GINT64_FORMAT " × %"
                                                G_GINT64_FORMAT, info->tag, info->step, info->n, info->d);

          gtk_string_list_append (self->tensor_names, s);
          if (info->id == job->chosen_id)
            gtk_drop_down_set_selected (GTK_DROP_DOWN (self->tensor_drop), k);
        }
    }
  gtk_widget_set_sensitive (self->run_drop, job->runs->len > 0);
  gtk_widget_set_sensitive (self->tensor_drop, job->runs->len > 0);
  self->updating = FALSE;
}

static gboolean
infos_equal (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint k = 0; k < a->len; k++)
    {
      const LmEmbeddingInfo *x = g_ptr_array_index (a, k), *y = g_ptr_array_index (b, k);

      if (x->id != y->id || x->step != y->step || x->n != y->n || x->d != y->d || g_strcmp0 (x->tag, y->tag) != 0)
        return FALSE;
    }
  return TRUE;
}

/* The same runs with the same tensors (what the drop-downs list). */
static gboolean
runs_equal (GPtrArray *a, GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return a == b;
  for (guint i = 0; i < a->len; i++)
    {
      RunEmbeddings *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->name, y->name) != 0 || !infos_equal (x->infos, y->infos))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------- t-SNE */

static LayoutRun *
layout_run_ref (LayoutRun *run)
{
  return g_atomic_rc_box_acquire (run);
}

static void
layout_run_clear (gpointer p)
{
  LayoutRun *run = p;

  g_mutex_clear (&run->lock);
  g_cond_clear (&run->wake);
  g_weak_ref_clear (&run->page);
  g_clear_object (&run->cancel);
  g_free (run->mat);
  g_free (run->coords);
  g_free (run->error);
}

static void
layout_run_unref (LayoutRun *run)
{
  g_atomic_rc_box_release_full (run, layout_run_clear);
}

static void apply_layout (LmProjectorPage *self, LayoutRun *run);
static void inspect_reset (LmProjectorPage *self);
static void columns_sync (LmProjectorPage *self);
static void start_job (LmProjectorPage *self, const char *run_name, gint64 id);

static gboolean
layout_post (gpointer data)
{
  LayoutRun *run = data;
  LmProjectorPage *self = g_weak_ref_get (&run->page);

  if (self != NULL)
    {
      if (self->layout == run)
        apply_layout (self, run);
      g_object_unref (self);
    }
  return G_SOURCE_REMOVE;
}

/* With run->lock held: hands the newest layout to the main thread unless
 * a hand-over is already waiting (it will take the newest) or, mid-run,
 * one went less than POST_MS ago. */
static void
layout_maybe_post (LayoutRun *run, gboolean force)
{
  gint64 now = g_get_monotonic_time ();

  if (run->posted || (!force && now - run->last_post_us < POST_MS * 1000))
    return;
  run->posted = TRUE;
  run->last_post_us = now;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, layout_post, layout_run_ref (run), (GDestroyNotify) layout_run_unref);
}

static gint layout_live;
static void layout_launch (LmProjectorPage *self, LayoutRun *run);

/* The worker of `run` has ended (main thread): the run waiting, if any,
 * starts. */
static gboolean
layout_finished (gpointer data)
{
  LayoutRun *run = data;
  LmProjectorPage *self = g_weak_ref_get (&run->page);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  if (self->layout_worker == run)
    {
      g_clear_pointer (&self->layout_worker, layout_run_unref);
      if (self->layout != NULL && !self->layout->launched)
        layout_launch (self, self->layout);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* The worker's last act: says it is gone, handing its reference on. */
static gpointer
layout_thread_end (LayoutRun *run)
{
  g_atomic_int_dec_and_test (&layout_live);
  g_idle_add_full (G_PRIORITY_DEFAULT, layout_finished, run, (GDestroyNotify) layout_run_unref);
  return NULL;
}

/* The worker's t-SNE or UMAP behind one face. */
typedef struct
{
  LmTsne *tsne;
  LmUmap *umap;
} Layout;

static gboolean
layout_new (LayoutRun *run, Layout *l, char **error)
{
  if (run->method == LM_PROJECTOR_UMAP)
    l->umap = lm_umap_new_cancellable (run->mat, run->n, run->d, run->dim, run->neighbors, run->iterations,
                                       run->seed, run->cancel, error);
  else
    l->tsne = lm_tsne_new_cancellable (run->mat, run->n, run->d, run->dim, run->perplexity, run->learning_rate,
                                       run->seed, run->cancel, error);
  return l->tsne != NULL || l->umap != NULL;
}

/* With run->lock held: the layout and its iteration into run. */
static void
layout_copy (LayoutRun *run, Layout *l)
{
  if (l->umap != NULL)
    {
      lm_umap_copy_coords (l->umap, run->coords, 3);
      run->iteration = lm_umap_get_epoch (l->umap);
    }
  else
    {
      lm_tsne_copy_coords (l->tsne, run->coords, 3);
      run->iteration = lm_tsne_get_iteration (l->tsne);
    }
}

static gpointer
layout_thread (gpointer data)
{
  LayoutRun *run = data;
  char *error = NULL;
  Layout l = { NULL, NULL };
  gboolean made = layout_new (run, &l, &error);

  g_mutex_lock (&run->lock);
  run->started = TRUE;
  if (!made)
    {
      run->error = error;
      run->done = TRUE;
      layout_maybe_post (run, TRUE);
      g_mutex_unlock (&run->lock);
      return layout_thread_end (run);
    }
  run->input_dims = l.umap != NULL ? lm_umap_get_input_dims (l.umap) : lm_tsne_get_input_dims (l.tsne);
  layout_copy (run, &l);
  layout_maybe_post (run, TRUE);
  for (;;)
    {
      while (run->paused && !run->stop)
        g_cond_wait (&run->wake, &run->lock);
      if (run->stop || run->iteration >= run->iterations)
        break;
      if (l.tsne != NULL)
        lm_tsne_set_learning_rate (l.tsne, run->learning_rate);
      g_mutex_unlock (&run->lock);
      if (l.umap != NULL)
        lm_umap_step (l.umap);
      else
        lm_tsne_step (l.tsne);
      g_mutex_lock (&run->lock);
      layout_copy (run, &l);
      run->done = run->iteration >= run->iterations;
      layout_maybe_post (run, run->done);
    }
  g_mutex_unlock (&run->lock);
  lm_tsne_free (l.tsne);
  lm_umap_free (l.umap);
  return layout_thread_end (run);
}

/* t-SNE and UMAP lay the points out in a thread of their own (a
 * LayoutRun); PCA and Custom are computed at once. */
static gboolean
runs_layout (LmProjectorMethod method)
{
  return method == LM_PROJECTOR_TSNE || method == LM_PROJECTOR_UMAP;
}

/* Tells the running t-SNE or UMAP to stop and forgets it (it frees itself). */
static void
layout_stop (LmProjectorPage *self)
{
  LayoutRun *run = g_steal_pointer (&self->layout);

  if (run == NULL)
    return;
  g_mutex_lock (&run->lock);
  run->stop = TRUE;
  g_cond_broadcast (&run->wake);
  g_mutex_unlock (&run->lock);
  g_cancellable_cancel (run->cancel);
  layout_run_unref (run);
}

/* Starts run's worker thread (none other alive). */
static void
layout_launch (LmProjectorPage *self, LayoutRun *run)
{
  g_assert (self->layout_worker == NULL);
  run->launched = TRUE;
  self->layout_worker = layout_run_ref (run);
  self->layout_started++;
  g_atomic_int_inc (&layout_live);
  g_thread_unref (g_thread_new (run->method == LM_PROJECTOR_UMAP ? "lumen-umap" : "lumen-tsne", layout_thread, layout_run_ref (run)));
}

static double
tsne_learning_rate (LmProjectorPage *self)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->lr_drop));

  return i < G_N_ELEMENTS (learning_rates) - 1 ? g_ascii_strtod (learning_rates[i], NULL)
                                                : LM_TSNE_DEFAULT_LEARNING_RATE;
}

static void
show_iteration (LmProjectorPage *self)
{
  g_autofree char *text = NULL;

  /* UMAP counts epochs, t-SNE iterations (as TensorBoard) */
  const char *what = self->method == LM_PROJECTOR_UMAP ? "Epoch" : "Iteration";

  if (self->layout == NULL)
    text = g_strdup_printf ("%s: –", what);
  else
    text = g_strdup_printf ("%s: %u%s", what, self->layout_shown,
                            self->layout_shown >= self->layout->iterations ? " (done)" : "");
  gtk_label_set_text (GTK_LABEL (self->iter_label), text);
}

static void
layout_status (LmProjectorPage *self, LayoutRun *run)
{
  gboolean umap = run->method == LM_PROJECTOR_UMAP;
  const char *name = umap ? "UMAP" : "t-SNE";
  g_autofree char *n = lm_format_count (run->n), *of = lm_format_count (self->sampled_of);
  g_autofree char *points = self->sampled_of > 0 ? g_strdup_printf ("%s on %s of %s points (a random sample)", name,
                                                                    n, of)
                                                 : g_strdup_printf ("%s of %s points", name, n);
  g_autofree char *how = umap ? g_strdup_printf ("%u neighbors, %u epochs", run->neighbors, run->iterations)
                              : g_strdup_printf ("perplexity %g, learning rate %g", run->perplexity,
                                                 run->learning_rate);
  g_autofree char *text = g_strdup_printf ("%s × %zu dims: %s, %dD", points, run->d, how, run->dim);

  set_status (self, text);
}

/* The newest layout of the run on screen, to the view (main thread). */
static void
apply_layout (LmProjectorPage *self, LayoutRun *run)
{
  g_autofree float *coords = NULL;
  g_autofree char *error = NULL;
  gboolean started, done;

  g_mutex_lock (&run->lock);
  run->posted = FALSE;
  started = run->started && run->error == NULL;
  if (started)
    coords = g_memdup2 (run->coords, run->n * 3 * sizeof *coords);
  self->layout_shown = run->iteration;
  error = g_strdup (run->error);
  done = run->done;
  g_mutex_unlock (&run->lock);
  if (error != NULL)
    {
      set_status (self, error);
      gtk_widget_set_sensitive (self->pause_button, FALSE);
    }
  else if (coords != NULL)
    {
      lm_projector_view_set_coords (LM_PROJECTOR_VIEW (self->view), coords);
      show_status (self);
    }
  if (done)
    gtk_widget_set_sensitive (self->pause_button, FALSE);
  show_iteration (self);
}

/* (Re)starts the method (t-SNE or UMAP) on the tensor on screen with the
 * controls' settings. */
static void
layout_start (LmProjectorPage *self)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);
  const LmEmbedding *e = lm_projector_view_get_embedding (view);
  LayoutRun *run;

  layout_stop (self);
  if (e == NULL)
    {
      show_iteration (self);
      return;
    }
  /* a big tensor: a random sample, which the view then shows alone */
  G_STATIC_ASSERT (LM_UMAP_MAX_POINTS == LM_TSNE_MAX_POINTS);
  if (e->n > LM_TSNE_MAX_POINTS)
    {
      g_autofree guint32 *idx = lm_tsne_sample (e->n, LM_TSNE_MAX_POINTS, 0);
      LmEmbedding *sub = lm_embedding_subset (e, idx, LM_TSNE_MAX_POINTS);

      self->sampled_of = e->n;
      lm_projector_view_update_data (view, sub, g_new0 (float, sub->n * 3));
      inspect_reset (self);
      e = lm_projector_view_get_embedding (view);
    }
  run = g_atomic_rc_box_new0 (LayoutRun);
  g_mutex_init (&run->lock);
  g_cond_init (&run->wake);
  g_weak_ref_init (&run->page, self);
  run->cancel = g_cancellable_new ();
  run->method = self->method;
  run->mat = g_memdup2 (e->mat, e->n * e->d * sizeof *e->mat);
  run->n = e->n;
  run->d = e->d;
  run->dim = lm_projector_view_get_2d (view) ? 2 : 3;
  run->perplexity = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->perp_spin));
  run->learning_rate = tsne_learning_rate (self);
  run->seed = self->layout_seed;
  run->neighbors = (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->umap_spin));
  run->iterations = self->method != LM_PROJECTOR_UMAP ? self->tsne_iterations
                    : self->umap_epochs > 0       ? self->umap_epochs
                                                  : lm_umap_default_epochs (e->n);
  run->coords = g_new0 (float, e->n * 3);
  run->paused = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->pause_button));
  self->layout = run;
  self->layout_shown = 0;
  gtk_widget_set_sensitive (self->pause_button, TRUE);
  layout_status (self, run);
  show_iteration (self);
  /* a stopped worker still alive: this run waits for its end */
  if (self->layout_worker == NULL)
    layout_launch (self, run);
}

/* The status line of a PCA: "PCA of 100 points × 784 dims: variance
 * described 29.1% + 17.7% + 6.0% = 52.8% (12 ms)", "sphereized" after
 * the dims when it was; points that are all the same vector say so
 * (they all sit at the centre). */
static char *
pca_status (gsize n, const char *kind, gsize d, gboolean sphereized, const double *v, double ms)
{
  const char *how = sphereized ? ", sphereized" : "";
  g_autofree char *what = g_strconcat (kind, n == 1 ? "point" : "points", NULL);

  if (n > 1 && v[0] == 0)
    return g_strdup_printf ("PCA of %zu %s × %zu dims%s: every point is the same vector, so all sit at the "
                            "centre (no variance to describe; %.0f ms)", n, what, d, how, ms);
  return g_strdup_printf ("PCA of %zu %s × %zu dims%s: variance described %.1f%% + %.1f%% + %.1f%% = %.1f%% "
                          "(%.0f ms)", n, what, d, how, 100 * v[0], 100 * v[1], 100 * v[2],
                          100 * (v[0] + v[1] + v[2]), ms);
}

/* ------------------------------------------------------------- custom */

static const char *const custom_names[4] = { "Left", "Right", "Up", "Down" };
/* each axis's searches, from and to: X Left to Right, Y Down to Up */
static const int custom_ends[2][2] = { { 0, 1 }, { 3, 2 } };

/* Forgets Custom's searches and axes as last run (the data, isolation or
 * Search by column changed, or the page goes). */
static void
custom_forget (LmProjectorPage *self)
{
  for (int k = 0; k < 4; k++)
    {
      CustomSearch *c = &self->custom_searches[k];

      g_clear_pointer (&c->pattern, g_free);
      g_clear_pointer (&c->idx, g_free);
      g_clear_pointer (&c->problem, g_free);
    }
  for (int a = 0; a < 2; a++)
    {
      CustomAxis *x = &self->custom_axes[a];

      x->valid = FALSE;
      g_clear_pointer (&x->dir, g_free);
      g_clear_pointer (&x->problem, g_free);
    }
  g_clear_pointer (&self->custom_coords, g_free);
  self->custom_of = self->custom_src = NULL;
  self->custom_values = NULL;
}

/* One of the four searches (custom_names' k), its entry's pattern and
 * regex toggle, in `values`, into c: its matches, what is wrong with it,
 * its count shown beside its entry. */
static void
custom_search (LmProjectorPage *self, int k, const char *pattern, gboolean regex, char **values, gsize n,
               CustomSearch *c)
{
  g_autofree char *error = NULL, *count = NULL;

  g_free (c->pattern);
  g_clear_pointer (&c->problem, g_free);
  c->pattern = g_strdup (pattern);
  c->regex = regex;
  c->idx = g_renew (guint32, c->idx, MAX (n, 1));
  c->got = lm_embedding_match (values, n, pattern, c->regex, c->idx, &error);
  self->custom_searches_run++;
  if (*pattern == '\0')
    count = g_strdup ("");
  else if (c->got < 0)
    {
      count = g_strdup ("bad regex");
      c->problem = g_strdup_printf ("%s: %s", custom_names[k], error);
    }
  else if (values == NULL)
    {
      count = g_strdup ("no labels");
      c->problem = g_strdup_printf ("%s: this tensor has no labels to search", custom_names[k]);
    }
  else if (c->got == 0)
    {
      count = g_strdup ("no match");
      c->problem = g_strdup_printf ("%s: no point matches “%s”", custom_names[k], pattern);
    }
  else
    count = g_strdup_printf ("%zd %s", c->got, c->got == 1 ? "match" : "matches");
  gtk_label_set_text (GTK_LABEL (self->custom_count[k]), count);
}

/* Axis a (0 X, 1 Y) from its two searches' matches in src, into x: its
 * unit direction, and each point of e projected on it into coords'
 * column a (0 when it has none, and why in x->problem). */
static void
custom_axis (LmProjectorPage *self, const LmEmbedding *src, const LmEmbedding *e, int a, float *coords)
{
  int from = custom_ends[a][0], to = custom_ends[a][1];
  const CustomSearch *f = &self->custom_searches[from], *t = &self->custom_searches[to];
  CustomAxis *x = &self->custom_axes[a];
  g_autofree char *error = NULL;

  g_clear_pointer (&x->problem, g_free);
  x->dir = g_renew (double, x->dir, e->d);
  x->ok = f->got > 0 && t->got > 0
          && lm_embedding_custom_axis (src->mat, src->n, src->d, f->idx, (gsize) f->got, t->idx, (gsize) t->got,
                                       custom_names[from], custom_names[to], x->dir, &error);
  x->valid = TRUE;
  if (error != NULL)
    x->problem = g_strdup_printf ("%s axis: %s", a == 0 ? "X" : "Y", error);
  if (x->ok)
    lm_embedding_project_axis (e->mat, e->n, e->d, x->dir, coords + a, 3);
  else
    for (gsize i = 0; i < e->n; i++)
      coords[i * 3 + a] = 0;
}

/* Custom's status line: the points, then the axes (with their cosine
 * similarity) or, when one is not drawn, what is wrong. */
static char *
custom_status (LmProjectorPage *self, const LmEmbedding *src, const LmEmbedding *e)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new ();
  g_autofree char *cos = NULL;
  char *not_drawn[2] = { NULL, NULL }, *status;
  const CustomAxis *ax = self->custom_axes;

  for (int k = 0; k < 4; k++)
    if (self->custom_searches[k].problem != NULL)
      g_ptr_array_add (problems, self->custom_searches[k].problem);
  for (int a = 0; a < 2; a++)
    if (ax[a].problem != NULL)
      g_ptr_array_add (problems, ax[a].problem);
  if (ax[0].ok && ax[1].ok)
    {
      double c = lm_embedding_cosine (ax[0].dir, ax[1].dir, e->d);

      /* (a cosine that rounds to 0 is 0.000, not -0.000) */
      cos = g_strdup_printf ("; cosine similarity of the axes %.3f", fabs (c) < 0.0005 ? 0.0 : c);
    }
  for (int a = 0; a < 2; a++)
    {
      int from = custom_ends[a][0], to = custom_ends[a][1];
      const char *text_from = gtk_editable_get_text (GTK_EDITABLE (self->custom_entry[from]));
      const char *text_to = gtk_editable_get_text (GTK_EDITABLE (self->custom_entry[to]));

      if (ax[a].ok)
        continue;
      not_drawn[a] = *text_from == '\0' || *text_to == '\0'
                       ? g_strdup_printf ("the %s axis is not drawn (type a label in %s and %s)",
                                          a == 0 ? "X" : "Y", custom_names[from], custom_names[to])
                       : g_strdup_printf ("the %s axis is not drawn", a == 0 ? "X" : "Y");
      g_ptr_array_add (problems, not_drawn[a]);
    }
  g_ptr_array_add (problems, NULL);
  g_autofree char *joined = g_strjoinv ("; ", (char **) problems->pdata);
  g_autofree char *whole = src != e ? g_strdup_printf (" (searched in all %zu)", src->n) : NULL;
  status = g_strdup_printf ("Custom projection of %zu %s%s × %zu dims%s: %s%s", e->n,
                            src != e ? "isolated point" : "point", e->n == 1 ? "" : "s", e->d, whole ? whole : "",
                            ax[0].ok && ax[1].ok ? "X from Left to Right, Y from Down to Up" : joined,
                            cos ? cos : "");
  g_free (not_drawn[0]);
  g_free (not_drawn[1]);
  return status;
}

/* TensorBoard's custom projection of the points on screen from the four
 * searches: X from Left's mean to Right's, Y from Down's to Up's, each
 * point's place its dot product with each (unit) axis.  As TensorBoard's,
 * the searches look in the whole data set when points are isolated (the
 * neighbours of one word onto the axis of two others).  An axis whose
 * searches are empty, match nothing or give no direction is not drawn
 * (its coordinate 0), and the status line says why.  With `keep` (a
 * search's text or regex toggle changed), the searches whose text and
 * toggle are as last run keep their matches, and an axis whose searches
 * both did keeps its place: a keystroke runs one search and one axis. */
static void
custom_apply (LmProjectorPage *self, gboolean keep)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);
  const LmEmbedding *e = lm_projector_view_get_embedding (view);
  const LmEmbedding *src = self->isolated && self->whole != NULL ? self->whole : e;
  g_autofree char *text = NULL;

  if (e == NULL)
    return;
  /* in the Search by column, as the label search (the label at first) */
  guint col = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->search_drop));
  char **values = src->columns != NULL && col < src->n_columns ? src->columns[col] : src->labels;

  if (!keep || self->custom_of != e || self->custom_src != src || self->custom_values != values)
    {
      custom_forget (self);
      self->custom_of = e;
      self->custom_src = src;
      self->custom_values = values;
      self->custom_coords = g_new0 (float, e->n * 3);
    }
  for (int k = 0; k < 4; k++)
    {
      CustomSearch *c = &self->custom_searches[k];
      const char *pattern = gtk_editable_get_text (GTK_EDITABLE (self->custom_entry[k]));
      gboolean regex = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->custom_regex[k]));

      if (c->pattern != NULL && strcmp (c->pattern, pattern) == 0 && c->regex == regex)
        continue;
      custom_search (self, k, pattern, regex, values, src->n, c);
      self->custom_axes[custom_ends[0][0] == k || custom_ends[0][1] == k ? 0 : 1].valid = FALSE;
    }
  for (int a = 0; a < 2; a++)
    if (!self->custom_axes[a].valid)
      custom_axis (self, src, e, a, self->custom_coords);
  text = custom_status (self, src, e);
  lm_projector_view_set_coords (view, self->custom_coords);
  set_status (self, text);
}

static void
on_custom_changed (LmProjectorPage *self)
{
  if (self->method == LM_PROJECTOR_CUSTOM)
    custom_apply (self, TRUE);
}

/* ---------------------------------------------------------- inspector */

typedef struct
{
  GBytes *mat;
  gsize n, d, query, k;
  LmEmbeddingMetric metric;
  guint32 *idx;
  float *dist;
  gssize got;
  double ms;
} NearestJob;

static void
nearest_job_free (gpointer p)
{
  NearestJob *job = p;

  g_bytes_unref (job->mat);
  g_free (job->idx);
  g_free (job->dist);
  g_free (job);
}

static void
nearest_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  NearestJob *job = data;
  gint64 t0 = g_get_monotonic_time ();

  job->got = lm_embedding_nearest (g_bytes_get_data (job->mat, NULL), job->n, job->d, job->query, job->k,
                                   job->metric, cancellable, job->idx, job->dist);
  job->ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_task_return_boolean (task, job->got >= 0);
}

/* Point i's label: its value in the Label by column, else its number. */
static const char *
point_label (LmProjectorPage *self, guint32 i, char buf[32])
{
  const char *label = lm_projector_view_get_point_label (LM_PROJECTOR_VIEW (self->view), i);

  if (label != NULL)
    return label;
  g_snprintf (buf, 32, "#%u", i);
  return buf;
}

static void
on_row_enter (GtkEventControllerMotion *c, double x, double y, LmProjectorPage *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (c));

  lm_projector_view_set_hover (LM_PROJECTOR_VIEW (self->view),
                               GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "point")));
}

static void
on_row_leave (GtkEventControllerMotion *c, LmProjectorPage *self)
{
  lm_projector_view_set_hover (LM_PROJECTOR_VIEW (self->view), -1);
}

/* A row of the list: point i's label, and its distance when dist >= 0. */
static void
add_row (LmProjectorPage *self, const LmEmbedding *e, guint32 i, double dist)
{
  GtkWidget *row = gtk_list_box_row_new (), *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name, *value;
  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_autofree char *d = dist >= 0 ? g_strdup_printf ("%.3f", dist) : g_strdup_printf ("#%u", i);
  char buf[32];

  name = gtk_label_new (point_label (self, i, buf));
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  /* a long label is cut short, not widening the pane */
  gtk_label_set_max_width_chars (GTK_LABEL (name), 30);
  gtk_widget_set_hexpand (name, TRUE);
  value = gtk_label_new (d);
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (value, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), value);
  gtk_widget_set_margin_start (box, 4);
  gtk_widget_set_margin_end (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "point", GUINT_TO_POINTER (i));
  g_signal_connect (motion, "enter", G_CALLBACK (on_row_enter), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_row_leave), self);
  gtk_widget_add_controller (row, motion);
  gtk_list_box_append (GTK_LIST_BOX (self->list), row);
}

/* The chosen point's thumbnail as a texture (the sprite is straight RGBA). */
static GdkTexture *
thumbnail_texture (const LmEmbedding *e, guint32 i)
{
  gsize tw = (gsize) e->thumb_width, th = (gsize) e->thumb_height;
  gsize sx = i % (guint32) e->sprite_cols * tw, sy = i / (guint32) e->sprite_cols * th;
  const guint8 *src = g_bytes_get_data (e->sprite->rgba, NULL);
  guint8 *px = g_malloc (tw * th * 4);

  for (gsize y = 0; y < th; y++)
    memcpy (px + y * tw * 4, src + (sy + y) * e->sprite->stride + sx * 4, tw * 4);
  g_autoptr (GBytes) bytes = g_bytes_new_take (px, tw * th * 4);
  return gdk_memory_texture_new ((int) tw, (int) th, GDK_MEMORY_R8G8B8A8, bytes, tw * 4);
}

/* The chosen point in the inspector: its label, every metadata column,
 * its thumbnail and its nearest neighbours.  Returns the points Isolate
 * would keep (0 while they are being found). */
static gsize
inspect_point (LmProjectorPage *self, const LmEmbedding *e)
{
  char buf[32];
  g_autofree char *title = g_strdup_printf ("%s  #%d", point_label (self, (guint32) self->selected, buf),
                                            self->selected);

  gtk_label_set_text (GTK_LABEL (self->insp_title), title);
  /* every metadata column of the point, as TensorBoard's inspector */
  if (e->n_columns > 1)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      for (guint c = 0; c < e->n_columns; c++)
        g_string_append_printf (text, "%s%s: %s", c ? "\n" : "", e->column_names[c],
                                e->columns[c][self->selected]);
      gtk_label_set_text (GTK_LABEL (self->insp_meta), text->str);
      gtk_widget_set_tooltip_text (self->insp_meta, text->str);
      gtk_widget_set_visible (self->insp_meta, TRUE);
    }
  if (e->sprite != NULL)
    {
      g_autoptr (GdkTexture) tex = thumbnail_texture (e, (guint32) self->selected);

      gtk_image_set_from_paintable (GTK_IMAGE (self->insp_thumb), GDK_PAINTABLE (tex));
      gtk_widget_set_visible (self->insp_thumb, TRUE);
    }
  gtk_label_set_text (GTK_LABEL (self->list_caption), self->nn_cancel != NULL
                                                         ? "Nearest points in the original space: finding…"
                                                         : "Nearest points in the original space:");
  for (gsize k = 0; k < self->nn_n; k++)
    add_row (self, e, self->nn_idx[k], self->nn_dist[k]);
  return self->nn_cancel != NULL ? 0 : self->nn_n + 1;
}

/* The search's matches in the inspector (MATCH_ROWS of them at most).
 * Returns the points Isolate would keep. */
static gsize
inspect_matches (LmProjectorPage *self, const LmEmbedding *e)
{
  g_autofree char *title = g_strdup_printf ("%zu %s “%s”", self->n_matches,
                                            self->n_matches == 1 ? "point matches" : "points match",
                                            gtk_editable_get_text (GTK_EDITABLE (self->search)));

  gtk_label_set_text (GTK_LABEL (self->insp_title), title);
  gtk_label_set_text (GTK_LABEL (self->list_caption), "Matches (click one to see its neighbours):");
  for (gsize k = 0; k < MIN (self->n_matches, MATCH_ROWS); k++)
    add_row (self, e, self->matches[k], -1);
  if (self->n_matches > MATCH_ROWS)
    {
      g_autofree char *more = g_strdup_printf ("… and %zu more", self->n_matches - MATCH_ROWS);

      gtk_label_set_text (GTK_LABEL (self->list_more), more);
      gtk_widget_set_visible (self->list_more, TRUE);
    }
  return self->n_matches;
}

/* The pane from the page's state: the chosen point and its neighbours,
 * or the search's matches, or a hint. */
static void
inspect_show (LmProjectorPage *self)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  GtkWidget *child;
  gsize n_iso = 0;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  gtk_widget_set_visible (self->insp_thumb, FALSE);
  gtk_widget_set_visible (self->insp_meta, FALSE);
  gtk_widget_set_visible (self->list_more, FALSE);
  if (e != NULL && self->selected >= 0)
    n_iso = inspect_point (self, e);
  else if (e != NULL && self->n_matches > 0)
    n_iso = inspect_matches (self, e);
  else
    {
      gtk_label_set_text (GTK_LABEL (self->insp_title), e != NULL ? "Click a point (or search its label) to see "
                                                                    "its nearest neighbours"
                                                                  : "");
      gtk_label_set_text (GTK_LABEL (self->list_caption), "");
    }
  /* a point's label or the search in one line, cut short (in full in
   * the tooltip); the hint wraps */
  gtk_label_set_wrap (GTK_LABEL (self->insp_title), e == NULL || (self->selected < 0 && self->n_matches == 0));
  gtk_label_set_ellipsize (GTK_LABEL (self->insp_title), gtk_label_get_wrap (GTK_LABEL (self->insp_title))
                                                            ? PANGO_ELLIPSIZE_NONE
                                                            : PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (self->insp_title, gtk_label_get_text (GTK_LABEL (self->insp_title)));
  if (n_iso > 0)
    {
      g_autofree char *label = g_strdup_printf ("Isolate %zu point%s", n_iso, n_iso == 1 ? "" : "s");

      gtk_button_set_label (GTK_BUTTON (self->isolate_button), label);
    }
  else
    gtk_button_set_label (GTK_BUTTON (self->isolate_button), "Isolate points");
  gtk_widget_set_sensitive (self->isolate_button, n_iso > 0 && !self->isolating);
  gtk_widget_set_sensitive (self->show_all_button, self->isolated && !self->isolating);
}

static void
nearest_done (GObject *source, GAsyncResult *res, gpointer data)
{
  NearestJob *job = g_task_get_task_data (G_TASK (res));
  GCancellable *cancel = g_task_get_cancellable (G_TASK (res));
  LmProjectorPage *self = LM_PROJECTOR_PAGE (source);

  /* a newer selection (or new data) cancelled it */
  if (g_cancellable_is_cancelled (cancel) || cancel != self->nn_cancel)
    return;
  g_clear_object (&self->nn_cancel);
  g_free (self->nn_idx);
  g_free (self->nn_dist);
  self->nn_idx = g_steal_pointer (&job->idx);
  self->nn_dist = g_steal_pointer (&job->dist);
  self->nn_n = (gsize) MAX (job->got, 0);
  self->nn_ms = job->ms;
  lm_projector_view_set_selection (LM_PROJECTOR_VIEW (self->view), self->selected, self->nn_idx, self->nn_n);
  inspect_show (self);
}

static void
nearest_cancel (LmProjectorPage *self)
{
  if (self->nn_cancel != NULL)
    g_cancellable_cancel (self->nn_cancel);
  g_clear_object (&self->nn_cancel);
}

/* Finds the chosen point's neighbours (again: k or the metric changed). */
static void
nearest_start (LmProjectorPage *self)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  NearestJob *job;
  GTask *task;

  nearest_cancel (self);
  g_clear_pointer (&self->nn_idx, g_free);
  g_clear_pointer (&self->nn_dist, g_free);
  self->nn_n = 0;
  if (e == NULL || self->selected < 0)
    return;
  if (self->nn_mat == NULL)
    self->nn_mat = g_bytes_new (e->mat, e->n * e->d * sizeof *e->mat);
  job = g_new0 (NearestJob, 1);
  job->mat = g_bytes_ref (self->nn_mat);
  job->n = e->n;
  job->d = e->d;
  job->query = (gsize) self->selected;
  job->k = (gsize) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->nn_spin));
  job->metric = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->metric_drop)) == 1 ? LM_EMBEDDING_EUCLIDEAN
                                                                                   : LM_EMBEDDING_COSINE;
  job->idx = g_new (guint32, MAX (job->k, 1));
  job->dist = g_new (float, MAX (job->k, 1));
  self->nn_cancel = g_cancellable_new ();
  task = g_task_new (self, self->nn_cancel, nearest_done, NULL);
  g_task_set_task_data (task, job, nearest_job_free);
  g_task_run_in_thread (task, nearest_thread);
  g_object_unref (task);
}

/* The search's matches, as indices, from the view's flags. */
static void
collect_matches (LmProjectorPage *self)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);
  const LmEmbedding *e = lm_projector_view_get_embedding (view);

  g_clear_pointer (&self->matches, g_free);
  self->n_matches = 0;
  for (gsize i = 0; e != NULL && i < e->n; i++)
    if (lm_projector_view_get_mark (view, (guint) i) == LM_PROJECTOR_MARK_SELECTED)
      {
        if (self->matches == NULL)
          self->matches = g_new (guint32, e->n);
        self->matches[self->n_matches++] = (guint32) i;
      }
}

void
lm_projector_page_select (LmProjectorPage *self, int point)
{
  const LmEmbedding *e;

  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  if (e == NULL || point < 0 || (gsize) point >= e->n)
    point = -1;
  self->selected = point;
  lm_projector_view_set_selection (LM_PROJECTOR_VIEW (self->view), point, NULL, 0);
  nearest_start (self);
  /* without a point: back to the search's matches, if any */
  if (point < 0)
    collect_matches (self);
  inspect_show (self);
}

/* The search boxes (the label search and Custom's four ends) name the
 * column Search by looks in: "Search labels", else "Search split". */
static void
search_texts (LmProjectorPage *self)
{
  static const char *const ends[4] = { "X axis's left end", "X axis's right end", "Y axis's top end",
                                       "Y axis's bottom end" };
  guint by = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->search_drop));
  const char *column = self->columns != NULL && by < g_strv_length (self->columns) ? self->columns[by] : "label";
  g_autofree char *hint = g_str_equal (column, "label") ? g_strdup ("Search labels")
                                                        : g_strdup_printf ("Search %s", column);

  g_autofree char *search_tip = g_strdup_printf ("Highlight the points whose %s holds this text", column);

  g_object_set (self->search, "placeholder-text", hint, NULL);
  gtk_widget_set_tooltip_text (self->search, search_tip);
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *tip = g_strdup_printf ("Points whose %s matches this are the %s (their mean)", column,
                                              ends[k]);

      g_object_set (self->custom_entry[k], "placeholder-text", hint, NULL);
      gtk_widget_set_tooltip_text (self->custom_entry[k], tip);
    }
}

/* Label by, Color by and the search's column from the dropdowns. */
static void
columns_apply (LmProjectorPage *self)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);
  g_autofree char *note = NULL;

  lm_projector_view_set_label_by (view, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->label_drop)));
  lm_projector_view_set_color_by (view, (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->color_drop)) - 1);
  lm_projector_view_set_search_by (view, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->search_drop)));
  search_texts (self);
  note = lm_projector_view_get_color_note (view);
  gtk_widget_set_tooltip_text (self->color_drop, note != NULL ? note
                                                 : "Colour the points by a metadata column: a colour a value "
                                                   "(50 values at most), a gradient for numbers");
}

/* The dropdowns offer the columns of the data on screen; they keep their
 * choice while the columns stay the same (a newer step, an isolated set),
 * else go back to TensorBoard's defaults: Label by and Color by the first
 * column (the label), search in it.  Label by and the search's column
 * show only when there are several. */
static void
columns_sync (LmProjectorPage *self)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  char **names = e != NULL ? e->column_names : NULL;
  guint k = names != NULL ? g_strv_length (names) : 0;

  if (!(names == NULL ? self->columns == NULL : self->columns != NULL && g_strv_equal ((const char *const *) names,
                                                                                       (const char *const *) self->columns)))
    {
      guint old = g_list_model_get_n_items (G_LIST_MODEL (self->column_list));
      g_autoptr (GPtrArray) colors = g_ptr_array_new ();

      self->syncing = TRUE;
      g_strfreev (self->columns);
      self->columns = g_strdupv (names);
      g_ptr_array_add (colors, (gpointer) "No color");
      for (guint c = 0; c < k; c++)
        g_ptr_array_add (colors, names[c]);
      g_ptr_array_add (colors, NULL);
      gtk_string_list_splice (self->column_list, 0, old, (const char *const *) names);
      gtk_string_list_splice (self->color_list, 0, g_list_model_get_n_items (G_LIST_MODEL (self->color_list)),
                              (const char *const *) colors->pdata);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->label_drop), 0);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->color_drop), k > 0 ? 1 : 0);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->search_drop), 0);
      self->syncing = FALSE;
    }
  gtk_widget_set_visible (self->columns_bar, k > 0);
  gtk_widget_set_visible (self->color_box, k > 0);
  gtk_widget_set_visible (self->label_box, k > 1);
  gtk_widget_set_visible (self->search_by_box, k > 1);
  columns_apply (self);
}

/* The view's data changed (or went): the selection and the shared matrix
 * go with it; the search applies to the new points. */
static void
inspect_reset (LmProjectorPage *self)
{
  if (self->search == NULL)
    return;
  columns_sync (self);
  nearest_cancel (self);
  g_clear_pointer (&self->nn_mat, g_bytes_unref);
  self->selected = -1;
  g_clear_pointer (&self->nn_idx, g_free);
  g_clear_pointer (&self->nn_dist, g_free);
  self->nn_n = 0;
  lm_projector_view_set_search (LM_PROJECTOR_VIEW (self->view), gtk_editable_get_text (GTK_EDITABLE (self->search)));
  collect_matches (self);
  inspect_show (self);
}

/* New data from a load: not isolated any more. */
static void
inspect_data_gone (LmProjectorPage *self)
{
  self->isolated = FALSE;
  g_clear_pointer (&self->iso_map, g_free);
  g_clear_pointer (&self->whole, lm_embedding_free);
  inspect_reset (self);
}

/* --projector-color-by's column, by its name. */
static void
color_wanted (LmProjectorPage *self)
{
  g_autofree char *want = g_steal_pointer (&self->want_color);

  for (guint c = 0; self->columns != NULL && self->columns[c] != NULL; c++)
    if (strcmp (self->columns[c], want) == 0)
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->color_drop), c + 1);
        return;
      }
  g_autofree char *names = self->columns != NULL ? g_strjoinv (", ", self->columns) : g_strdup ("none");
  g_autofree char *msg = g_strdup_printf ("No metadata column is named “%s” (--projector-color-by takes one of: %s)",
                                          want, names);
  set_status (self, msg);
  g_printerr ("lumen: %s\n", msg);
}

/* --projector-select's point: the first labelled so, else the number. */
static void
select_wanted (LmProjectorPage *self)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  g_autofree char *want = g_steal_pointer (&self->want_select);
  gint64 point = -1;
  char *end = NULL;

  for (gsize i = 0; e != NULL && e->labels != NULL && i < e->n && point < 0; i++)
    if (strcmp (e->labels[i], want) == 0)
      point = (gint64) i;
  if (point < 0 && *want != '\0')
    {
      gint64 v = g_ascii_strtoll (want, &end, 10);

      if (*end == '\0' && g_ascii_isdigit (*want) && e != NULL && v >= 0 && (guint64) v < e->n)
        point = v;
    }
  if (point < 0)
    {
      g_autofree char *msg = g_strdup_printf ("No point is labelled “%s”%s (--projector-select takes a label or "
                                              "a point number from 0 to %zu)", want,
                                              e != NULL && e->labels == NULL ? " (this tensor has no labels)" : "",
                                              e != NULL ? e->n - 1 : 0);
      set_status (self, msg);
      g_printerr ("lumen: %s\n", msg);
      return;
    }
  lm_projector_page_select (self, (int) point);
}

static void
on_point_activated (LmProjectorView *view, int point, LmProjectorPage *self)
{
  lm_projector_page_select (self, point);
}

static void
on_row_activated (GtkListBox *box, GtkListBoxRow *row, LmProjectorPage *self)
{
  lm_projector_page_select (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "point")));
}

static void
on_nn_settings_changed (LmProjectorPage *self)
{
  if (self->selected >= 0)
    {
      nearest_start (self);
      inspect_show (self);
    }
}

/* --- isolate */

typedef struct
{
  guint generation;
  LmEmbedding *sub;
  float *coords;
  gboolean sphereize;
  int chosen;                  /* the point to choose then, -1 none */
  double explained[3], ms;
  char *error;
} IsolateJob;

static void
isolate_job_free (gpointer p)
{
  IsolateJob *job = p;

  lm_embedding_free (job->sub);
  g_free (job->coords);
  g_free (job->error);
  g_free (job);
}

static void
isolate_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  IsolateJob *job = data;
  gint64 t0 = g_get_monotonic_time ();

  job->coords = g_new (float, job->sub->n * 3);
  pca_maybe_sphereized (job->sub, job->sphereize, job->coords, job->explained, &job->error);
  job->ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_task_return_boolean (task, TRUE);
}

/* Shows the isolated points sub with coords (both taken); the data they
 * came from is kept, the first time, for Custom's searches. */
static void
isolate_take (LmProjectorPage *self, LmEmbedding *sub, float *coords)
{
  LmProjectorView *view = LM_PROJECTOR_VIEW (self->view);

  if (self->isolated)
    lm_projector_view_update_data (view, sub, coords);
  else
    {
      g_clear_pointer (&self->whole, lm_embedding_free);
      self->whole = lm_projector_view_swap_data (view, sub, coords);
    }
  self->isolated = TRUE;
}

static void
isolate_done (GObject *source, GAsyncResult *res, gpointer data)
{
  LmProjectorPage *self = LM_PROJECTOR_PAGE (source);
  IsolateJob *job = g_task_get_task_data (G_TASK (res));

  if (job->generation != self->generation)
    return;
  self->isolating = FALSE;
  self->loading = FALSE;
  self->settled = TRUE;
  if (job->error != NULL)
    {
      set_status (self, job->error);
      inspect_show (self);
      return;
    }
  g_autofree char *status = pca_status (job->sub->n, "isolated ", job->sub->d, job->sphereize,
                                       job->explained, job->ms);
  isolate_take (self, g_steal_pointer (&job->sub), g_steal_pointer (&job->coords));
  set_status (self, status);
  inspect_reset (self);
  /* the method changed to Custom meanwhile */
  if (self->method == LM_PROJECTOR_CUSTOM)
    custom_apply (self, FALSE);
  if (job->chosen >= 0)
    lm_projector_page_select (self, job->chosen);
}

/* Makes sub (taken) the view's data, projected by the method on its own;
 * its point `chosen` (-1: none) is chosen then.  PCA runs in a GTask;
 * t-SNE and UMAP start their layout, and Custom projects at once (no PCA
 * for it to replace), ending what is in flight as the GTask's would. */
static void
isolate_show (LmProjectorPage *self, LmEmbedding *sub, int chosen)
{
  if (runs_layout (self->method) || self->method == LM_PROJECTOR_CUSTOM)
    {
      gsize m = sub->n;

      if (self->method == LM_PROJECTOR_CUSTOM)
        {
          nearest_cancel (self);
          self->generation++;
          self->loading = FALSE;
          self->settled = TRUE;
        }
      isolate_take (self, sub, g_new0 (float, m * 3));
      inspect_reset (self);
      if (self->method == LM_PROJECTOR_CUSTOM)
        custom_apply (self, FALSE);
      else
        layout_start (self);
      if (chosen >= 0)
        lm_projector_page_select (self, chosen);
      return;
    }
  IsolateJob *job = g_new0 (IsolateJob, 1);
  GTask *task;

  nearest_cancel (self);
  job->generation = ++self->generation;
  job->sub = sub;
  job->chosen = chosen;
  job->sphereize = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->sphereize_check));
  self->isolating = TRUE;
  /* the live checks wait (they would drop this job) */
  self->loading = TRUE;
  self->settled = FALSE;
  inspect_show (self);
  task = g_task_new (self, NULL, isolate_done, NULL);
  g_task_set_task_data (task, job, isolate_job_free);
  g_task_run_in_thread (task, isolate_thread);
  g_object_unref (task);
}

/* Shows only the chosen point and its neighbours (or the search's
 * matches), the method run again on just them: TensorBoard's "Isolate". */
static void
on_isolate_clicked (GtkButton *button, LmProjectorPage *self)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
  g_autofree guint32 *idx = NULL;
  gsize m = 0;
  gboolean point = self->selected >= 0;

  if (e == NULL || self->isolating)
    return;
  idx = g_new (guint32, e->n);
  if (point)
    {
      idx[m++] = (guint32) self->selected;
      for (gsize k = 0; k < self->nn_n; k++)
        idx[m++] = self->nn_idx[k];
    }
  else
    for (gsize k = 0; k < self->n_matches; k++)
      idx[m++] = self->matches[k];
  if (m == 0)
    return;
  /* where they are in the whole tensor (not known on t-SNE's sample) */
  guint32 *map = NULL;

  if (self->sampled_of == 0 && (!self->isolated || self->iso_map != NULL))
    {
      map = g_new (guint32, m);
      for (gsize j = 0; j < m; j++)
        map[j] = self->iso_map != NULL ? self->iso_map[idx[j]] : idx[j];
    }
  g_free (self->iso_map);
  self->iso_map = map;
  /* the chosen point first: it stays chosen */
  isolate_show (self, lm_embedding_subset (e, idx, m), point ? 0 : -1);
}

/* "Show all data": the tensor again, loaded and projected whole. */
static void
on_show_all_clicked (GtkButton *button, LmProjectorPage *self)
{
  if (!self->isolated || self->run_name == NULL)
    return;
  self->reselect = self->iso_map != NULL && self->selected >= 0 ? (gint64) self->iso_map[self->selected] : -1;
  start_job (self, self->run_name, self->tensor_id);
}

/* Nothing on screen any more: no layout running, no data, no selection. */
static void
clear_view (LmProjectorPage *self)
{
  layout_stop (self);
  show_iteration (self);
  lm_projector_view_set_data (LM_PROJECTOR_VIEW (self->view), NULL, NULL);
  inspect_data_gone (self);
}

/* A damaged tensor: say which and why where it would be; it is the one
 * on screen, so the live checks do not load it again until the user
 * picks another. */
static void
show_damaged (LmProjectorPage *self, Job *job)
{
  RunEmbeddings *r = g_ptr_array_index (job->runs, job->chosen_run);
  guint n_tensors = 0;

  for (guint i = 0; i < job->runs->len; i++)
    n_tensors += ((RunEmbeddings *) g_ptr_array_index (job->runs, i))->infos->len;
  g_autofree char *markup = g_markup_printf_escaped ("<big>This tensor cannot be shown</big>\n\n%s: %s%s",
                                                     r->name, job->error ? job->error : "unreadable",
                                                     n_tensors > 1 ? "\n\nPick another tensor or run above." : "");
  clear_view (self);
  gtk_label_set_markup (GTK_LABEL (self->damaged), markup);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "damaged");
  g_free (self->run_name);
  self->run_name = g_strdup (r->name);
  self->tensor_id = job->chosen_id;
  set_status (self, job->error ? job->error : "");
}

/* No tensor to show. */
static void
show_empty (LmProjectorPage *self, Job *job)
{
  clear_view (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  g_clear_pointer (&self->run_name, g_free);
  self->tensor_id = -1;
  set_status (self, job->error ? job->error : "");
}

/* The job's tensor on screen with its PCA, the method on it, then the
 * points asked for by Show all data, --projector-select and
 * --projector-color-by. */
static void
show_loaded (LmProjectorPage *self, Job *job)
{
  g_free (self->run_name);
  self->run_name = g_strdup (((RunEmbeddings *) g_ptr_array_index (job->runs, job->chosen_run))->name);
  self->tensor_id = job->chosen_id;
  self->pca_ms = job->pca_ms;
  g_autofree char *status = pca_status (job->e->n, "", job->e->d, job->sphereize, job->explained,
                                       job->pca_ms);
  g_free (self->pca_status);
  self->pca_status = g_strdup (status);
  gtk_widget_set_sensitive (self->thumb_check, job->e->sprite != NULL);
  self->sampled_of = 0;
  /* a newer step of the tag on screen: the user's camera stays */
  if (job->follow_tag != NULL && g_strcmp0 (job->follow_tag, job->e->tag) == 0)
    lm_projector_view_update_data (LM_PROJECTOR_VIEW (self->view), g_steal_pointer (&job->e),
                                   g_steal_pointer (&job->coords));
  else
    lm_projector_view_set_data (LM_PROJECTOR_VIEW (self->view), g_steal_pointer (&job->e),
                                g_steal_pointer (&job->coords));
  set_status (self, status);
  inspect_data_gone (self);
  if (runs_layout (self->method))
    layout_start (self);
  else if (self->method == LM_PROJECTOR_CUSTOM)
    custom_apply (self, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "view");
  /* Show all data's chosen point, or --projector-select's (not on
   * t-SNE's sample, whose numbering differs) */
  if (self->reselect >= 0 && self->sampled_of == 0)
    lm_projector_page_select (self, (int) self->reselect);
  self->reselect = -1;
  if (self->want_select != NULL)
    select_wanted (self);
  if (self->want_color != NULL)
    color_wanted (self);
}

static void
job_done (GObject *source, GAsyncResult *res, gpointer data)
{
  LmProjectorPage *self = LM_PROJECTOR_PAGE (source);
  Job *job = g_task_get_task_data (G_TASK (res));

  if (job->generation != self->generation)
    return;
  self->loading = FALSE;
  self->settled = TRUE;
  self->isolating = FALSE;

  g_clear_pointer (&self->cache, g_hash_table_unref);
  self->cache = g_hash_table_ref (job->cache);
  if (job->poll && runs_equal (self->runs, job->runs) && job->same_tensor)
    return;
  if (job->poll)
    self->n_polls_changed++;
  fill_drops (self, job);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = g_ptr_array_ref (job->runs);
  if (job->same_tensor)
    return;
  if (job->e == NULL && job->chosen_run >= 0)
    show_damaged (self, job);
  else if (job->e == NULL)
    show_empty (self, job);
  else
    show_loaded (self, job);
}

/* The shown tensor's tag when it is the newest step of that tag. */
static const char *
newest_tag (LmProjectorPage *self)
{
  const LmEmbeddingInfo *shown = NULL, *last = NULL;

  for (guint i = 0; self->runs != NULL && i < self->runs->len; i++)
    {
      RunEmbeddings *r = g_ptr_array_index (self->runs, i);

      if (g_strcmp0 (r->name, self->run_name) != 0)
        continue;
      for (guint k = 0; k < r->infos->len; k++)
        {
          const LmEmbeddingInfo *info = g_ptr_array_index (r->infos, k);

          if (info->id == self->tensor_id)
            shown = info;
          if (shown != NULL && g_strcmp0 (info->tag, shown->tag) == 0)
            last = info;
        }
    }
  return shown != NULL && last == shown ? shown->tag : NULL;
}

/* Loads (run_name, id), or with `poll` only looks for changes: new lists,
 * or a newer step of the shown tensor's tag when it showed the newest. */
static void
start_job_full (LmProjectorPage *self, const char *run_name, gint64 id, gboolean poll)
{
  GListModel *model = G_LIST_MODEL (self->store);
  GTask *task;
  Job *job;

  /* not to overtake a tensor the user picked: the next poll (or map)
   * looks once it is in */
  if (poll && self->loading)
    return;
  job = g_new0 (Job, 1);
  job->generation = ++self->generation;
  job->poll = poll;
  job->shown_id = self->tensor_id;
  if (poll || (g_strcmp0 (run_name, self->run_name) == 0 && id == self->tensor_id))
    job->follow_tag = g_strdup (newest_tag (self));
  job->prev = self->cache ? g_hash_table_ref (self->cache) : NULL;
  job->names = g_ptr_array_new_with_free_func (g_free);
  job->paths = g_ptr_array_new_with_free_func (g_free);
  job->want_run = g_strdup (run_name);
  job->want_id = id;
  job->sphereize = self->sphereize_check != NULL
                   && gtk_check_button_get_active (GTK_CHECK_BUTTON (self->sphereize_check));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (model, i);

      g_ptr_array_add (job->names, g_strdup (lm_run_get_name (run)));
      g_ptr_array_add (job->paths, g_strdup (lm_run_get_path (run)));
    }
  self->loading = TRUE;
  self->settled = FALSE;
  task = g_task_new (self, NULL, job_done, NULL);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, job_thread);
  g_object_unref (task);
}

static void
start_job (LmProjectorPage *self, const char *run_name, gint64 id)
{
  start_job_full (self, run_name, id, FALSE);
}

static gboolean
on_poll (gpointer data)
{
  LmProjectorPage *self = data;

  start_job_full (self, self->run_name, self->tensor_id, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
on_runs_changed (GListModel *model, guint pos, guint removed, guint added, LmProjectorPage *self)
{
  /* the tensor on screen stays (and its camera) unless its run went */
  if (removed || added)
    start_job_full (self, self->run_name, self->tensor_id, TRUE);
}

static void
on_map (GtkWidget *w, LmProjectorPage *self)
{
  start_job_full (self, self->run_name, self->tensor_id, TRUE);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, on_poll, self);
}

static void
on_unmap (GtkWidget *w, LmProjectorPage *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
}

static void
on_run_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (self->updating || self->runs == NULL || i >= self->runs->len)
    return;
  start_job (self, ((RunEmbeddings *) g_ptr_array_index (self->runs, i))->name, -1);
}

static void
on_tensor_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  guint i = gtk_drop_down_get_selected (drop), r = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->run_drop));

  if (self->updating || self->runs == NULL || r >= self->runs->len)
    return;
  RunEmbeddings *run = g_ptr_array_index (self->runs, r);
  if (i < run->infos->len)
    start_job (self, run->name, ((LmEmbeddingInfo *) g_ptr_array_index (run->infos, i))->id);
}

static void
on_flat_toggled (GtkToggleButton *b, LmProjectorPage *self)
{
  lm_projector_view_set_2d (LM_PROJECTOR_VIEW (self->view), gtk_toggle_button_get_active (b));
  /* t-SNE and UMAP lay the points out in 2 or 3 dimensions: run again */
  if (runs_layout (self->method))
    layout_start (self);
}

static void
on_method_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  /* the drop-down lists the methods in LmProjectorMethod's order */
  lm_projector_page_set_method (self, i <= LM_PROJECTOR_CUSTOM ? (LmProjectorMethod) i : LM_PROJECTOR_PCA);
}

static void
on_perplexity_changed (GtkSpinButton *spin, LmProjectorPage *self)
{
  if (self->method == LM_PROJECTOR_TSNE)
    layout_start (self);
}

static void
on_umap_neighbors_changed (GtkSpinButton *spin, LmProjectorPage *self)
{
  if (self->method == LM_PROJECTOR_UMAP)
    layout_start (self);
}

static void
on_learning_rate_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  LayoutRun *run = self->layout;

  if (run == NULL || run->method != LM_PROJECTOR_TSNE)
    return;
  g_mutex_lock (&run->lock);
  run->learning_rate = tsne_learning_rate (self);
  gboolean failed = run->error != NULL;
  g_mutex_unlock (&run->lock);
  if (!failed)
    layout_status (self, run);
}

static void
on_rerun_clicked (GtkButton *button, LmProjectorPage *self)
{
  /* a new random start, as TensorBoard's Re-run */
  self->layout_seed++;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->pause_button), FALSE);
  layout_start (self);
}

static void
on_pause_toggled (GtkToggleButton *b, LmProjectorPage *self)
{
  gboolean paused = gtk_toggle_button_get_active (b);

  gtk_button_set_label (GTK_BUTTON (b), paused ? "Resume" : "Pause");
  if (self->layout == NULL)
    return;
  g_mutex_lock (&self->layout->lock);
  self->layout->paused = paused;
  g_cond_broadcast (&self->layout->wake);
  g_mutex_unlock (&self->layout->lock);
}

static void
on_thumbs_toggled (GtkCheckButton *b, LmProjectorPage *self)
{
  lm_projector_view_set_thumbnails (LM_PROJECTOR_VIEW (self->view), gtk_check_button_get_active (b));
}

static void
on_label_by_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  if (self->syncing)
    return;
  columns_apply (self);
  inspect_show (self);
}

static void
on_color_by_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  if (!self->syncing)
    columns_apply (self);
}

static void on_search_changed (GtkSearchEntry *entry, LmProjectorPage *self);

static void
on_search_by_selected (GtkDropDown *drop, GParamSpec *pspec, LmProjectorPage *self)
{
  if (self->syncing)
    return;
  columns_apply (self);
  on_search_changed (GTK_SEARCH_ENTRY (self->search), self);
  if (self->method == LM_PROJECTOR_CUSTOM)
    custom_apply (self, FALSE);
}

static void
on_search_changed (GtkSearchEntry *entry, LmProjectorPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  guint n = lm_projector_view_set_search (LM_PROJECTOR_VIEW (self->view), text);

  /* as TensorBoard's search: the matches become the selection, listed */
  lm_projector_page_select (self, -1);

  if (*text)
    {
      g_autofree char *tip = g_strdup_printf ("%u points match", n);
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (entry), "Highlight the points whose label holds this text");
}

/* Enter in the search: its first match is chosen, with its neighbours. */
static void
on_search_activate (GtkSearchEntry *entry, LmProjectorPage *self)
{
  if (self->n_matches > 0)
    lm_projector_page_select (self, (int) self->matches[0]);
}

/* PCA again on the points shown: the isolated ones, else the tensor
 * reloaded (t-SNE or UMAP may show a sample; a load under way starts
 * again with the new settings). */
static void
reproject (LmProjectorPage *self)
{
  if (self->isolated)
    {
      const LmEmbedding *e = lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view));
      g_autofree guint32 *all = g_new (guint32, e->n);
      int chosen = self->selected;

      for (gsize i = 0; i < e->n; i++)
        all[i] = (guint32) i;
      isolate_show (self, lm_embedding_subset (e, all, e->n), chosen);
    }
  else
    start_job (self, self->run_name, self->tensor_id);
}

static void
on_sphereize_toggled (LmProjectorPage *self)
{
  if (self->method == LM_PROJECTOR_PCA)
    reproject (self);
}

static void
lm_projector_page_dispose (GObject *object)
{
  LmProjectorPage *self = LM_PROJECTOR_PAGE (object);

  self->generation++;
  layout_stop (self);
  nearest_cancel (self);
  g_clear_pointer (&self->layout_worker, layout_run_unref);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_projector_page_parent_class)->dispose (object);
}

static void
lm_projector_page_finalize (GObject *object)
{
  LmProjectorPage *self = LM_PROJECTOR_PAGE (object);

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_free (self->run_name);
  g_free (self->status_text);
  g_free (self->status_base);
  g_free (self->pca_status);
  g_free (self->nn_idx);
  g_free (self->nn_dist);
  g_free (self->matches);
  g_free (self->iso_map);
  g_clear_pointer (&self->whole, lm_embedding_free);
  g_free (self->want_select);
  g_free (self->want_color);
  g_strfreev (self->columns);
  g_clear_pointer (&self->nn_mat, g_bytes_unref);
  custom_forget (self);
  G_OBJECT_CLASS (lm_projector_page_parent_class)->finalize (object);
}

static void
lm_projector_page_class_init (LmProjectorPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_projector_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_projector_page_finalize;
}

static GtkWidget *
caption (const char *text)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_widget_add_css_class (l, "dim-label");
  return l;
}

/* A row of groups of controls that wraps onto more lines in a narrow
 * page (the window can be 860 px wide), each group whole: its least
 * width is its widest group's (see lm-wrap-layout.h). */
static GtkWidget *
wrap_row (int spacing)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_set_layout_manager (row, lm_wrap_layout_new (spacing, 4));
  gtk_widget_set_hexpand (row, TRUE);
  return row;
}

/* A caption and its control, kept together on a wrap_row. */
static GtkWidget *
captioned (const char *text, GtkWidget *control)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_box_append (GTK_BOX (box), caption (text));
  gtk_box_append (GTK_BOX (box), control);
  /* a screen reader names the control by its caption */
  gtk_accessible_update_property (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return box;
}

/* A bar of controls under another: the page's margins. */
static void
bar_margins (GtkWidget *bar)
{
  gtk_widget_set_margin_start (bar, 8);
  gtk_widget_set_margin_end (bar, 8);
  gtk_widget_set_margin_top (bar, 6);
}

/* TensorBoard's data panel: Label by, Color by, search by a column. */
static void
build_columns_bar (LmProjectorPage *self)
{
  self->column_list = gtk_string_list_new (NULL);
  self->color_list = gtk_string_list_new ((const char *const[]) { "No color", NULL });
  self->label_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->column_list)), NULL);
  gtk_widget_set_tooltip_text (self->label_drop, "The metadata column the points are labelled by (hover, "
                                                 "inspector)");
  g_signal_connect (self->label_drop, "notify::selected", G_CALLBACK (on_label_by_selected), self);
  self->color_drop = gtk_drop_down_new (G_LIST_MODEL (self->color_list), NULL);
  g_signal_connect (self->color_drop, "notify::selected", G_CALLBACK (on_color_by_selected), self);
  self->search_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->column_list)), NULL);
  gtk_widget_set_tooltip_text (self->search_drop, "The metadata column the search looks in");
  g_signal_connect (self->search_drop, "notify::selected", G_CALLBACK (on_search_by_selected), self);
  g_object_unref (self->column_list);
  self->label_box = captioned ("Label by", self->label_drop);
  gtk_widget_set_visible (self->label_box, FALSE);
  self->color_box = captioned ("Color by", self->color_drop);
  gtk_widget_set_visible (self->color_box, FALSE);
  self->search_by_box = captioned ("Search by", self->search_drop);
  gtk_widget_set_visible (self->search_by_box, FALSE);
  /* a row of their own under the bar, shown with metadata */
  self->columns_bar = wrap_row (12);
  gtk_box_append (GTK_BOX (self->columns_bar), self->label_box);
  gtk_box_append (GTK_BOX (self->columns_bar), self->color_box);
  gtk_box_append (GTK_BOX (self->columns_bar), self->search_by_box);
  bar_margins (self->columns_bar);
  gtk_widget_set_visible (self->columns_bar, FALSE);
}

/* Custom's end k (custom_names' order): its name, search entry, regex
 * toggle and count of matches, in a row. */
static GtkWidget *
build_custom_end (LmProjectorPage *self, int k)
{
  self->custom_entry[k] = gtk_entry_new ();
  gtk_editable_set_width_chars (GTK_EDITABLE (self->custom_entry[k]), 14);
  /* its placeholder and tooltip: search_texts */
  g_signal_connect_swapped (self->custom_entry[k], "changed", G_CALLBACK (on_custom_changed), self);
  self->custom_regex[k] = gtk_toggle_button_new_with_label (".*");
  gtk_widget_set_tooltip_text (self->custom_regex[k], "Search with a regular expression (case-insensitive), "
                                                      "not a substring");
  g_signal_connect_swapped (self->custom_regex[k], "toggled", G_CALLBACK (on_custom_changed), self);
  /* a screen reader names them by their end ("Left search", "Left
   * search is a regex"), not by ".*" */
  {
    g_autofree char *entry_name = g_strdup_printf ("%s search", custom_names[k]);
    g_autofree char *regex_name = g_strdup_printf ("%s search is a regex", custom_names[k]);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->custom_entry[k]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    entry_name, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->custom_regex[k]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    regex_name, -1);
  }
  self->custom_count[k] = caption ("");
  gtk_label_set_width_chars (GTK_LABEL (self->custom_count[k]), 11);
  gtk_label_set_xalign (GTK_LABEL (self->custom_count[k]), 0);
  GtkWidget *name = caption (custom_names[k]), *end = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  /* as wide as "Right", so the ends line up */
  gtk_label_set_width_chars (GTK_LABEL (name), 5);
  gtk_label_set_xalign (GTK_LABEL (name), 1);
  gtk_box_append (GTK_BOX (end), name);
  gtk_box_append (GTK_BOX (end), self->custom_entry[k]);
  gtk_box_append (GTK_BOX (end), self->custom_regex[k]);
  gtk_box_append (GTK_BOX (end), self->custom_count[k]);
  return end;
}

/* TensorBoard's Custom panel: X by Left and Right, Y by Up and Down (a
 * row each), each a label search with its regex toggle and its count of
 * matches; shown while Custom is the method.  In a narrow page Right
 * goes under Left, Down under Up. */
static void
build_custom_bar (LmProjectorPage *self)
{
  GtkWidget *ends = NULL;

  self->custom_bar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  for (int k = 0; k < 4; k++)
    {
      if (k % 2 == 0)
        {
          GtkWidget *axis = gtk_label_new (k == 0 ? "X axis" : "Y axis");
          GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

          gtk_widget_add_css_class (axis, "heading");
          gtk_widget_set_valign (axis, GTK_ALIGN_START);
          gtk_widget_set_margin_top (axis, 8);
          ends = wrap_row (12);
          gtk_box_append (GTK_BOX (line), axis);
          gtk_box_append (GTK_BOX (line), ends);
          gtk_box_append (GTK_BOX (self->custom_bar), line);
        }
      gtk_box_append (GTK_BOX (ends), build_custom_end (self, k));
    }
  bar_margins (self->custom_bar);
  gtk_widget_set_visible (self->custom_bar, FALSE);
}

/* The side pane: TensorBoard's inspector. */
static void
build_inspector (LmProjectorPage *self)
{
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6), *heading = gtk_label_new ("Inspector");
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6), *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroll = gtk_scrolled_window_new (), *list_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (side), heading);
  self->nn_spin = gtk_spin_button_new_with_range (1, NN_MAX, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->nn_spin), NN_DEFAULT);
  gtk_widget_set_tooltip_text (self->nn_spin, "How many nearest points to list and highlight");
  g_signal_connect_swapped (self->nn_spin, "value-changed", G_CALLBACK (on_nn_settings_changed), self);
  self->metric_drop = gtk_drop_down_new_from_strings ((const char *const[]) { "Cosine", "Euclidean", NULL });
  gtk_widget_set_tooltip_text (self->metric_drop, "Distance in the original space: cosine (1 − cos, "
                                                  "TensorBoard's default) or Euclidean");
  g_signal_connect_swapped (self->metric_drop, "notify::selected", G_CALLBACK (on_nn_settings_changed), self);
  gtk_box_append (GTK_BOX (row), caption ("Neighbors"));
  gtk_box_append (GTK_BOX (row), self->nn_spin);
  gtk_box_append (GTK_BOX (row), self->metric_drop);
  gtk_box_append (GTK_BOX (side), row);
  /* a label or value of hundreds of characters, spaces or none, is cut
   * short in one line inside the pane (in full in the tooltip) instead
   * of pushing the view out (see inspect_show) */
  self->insp_title = gtk_label_new ("");
  gtk_label_set_max_width_chars (GTK_LABEL (self->insp_title), 40);
  gtk_label_set_xalign (GTK_LABEL (self->insp_title), 0);
  gtk_widget_add_css_class (self->insp_title, "lm-projector-selected");
  gtk_box_append (GTK_BOX (side), self->insp_title);
  self->insp_meta = gtk_label_new ("");
  gtk_label_set_ellipsize (GTK_LABEL (self->insp_meta), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (self->insp_meta), 40);
  gtk_label_set_selectable (GTK_LABEL (self->insp_meta), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->insp_meta), 0);
  gtk_widget_set_visible (self->insp_meta, FALSE);
  gtk_box_append (GTK_BOX (side), self->insp_meta);
  self->insp_thumb = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (self->insp_thumb), 96);
  gtk_widget_set_halign (self->insp_thumb, GTK_ALIGN_START);
  gtk_widget_set_visible (self->insp_thumb, FALSE);
  gtk_box_append (GTK_BOX (side), self->insp_thumb);
  self->isolate_button = gtk_button_new_with_label ("Isolate points");
  gtk_widget_set_tooltip_text (self->isolate_button, "Show only the selected points and project them again");
  g_signal_connect (self->isolate_button, "clicked", G_CALLBACK (on_isolate_clicked), self);
  self->show_all_button = gtk_button_new_with_label ("Show all data");
  gtk_widget_set_tooltip_text (self->show_all_button, "Show every point of the tensor again");
  g_signal_connect (self->show_all_button, "clicked", G_CALLBACK (on_show_all_clicked), self);
  gtk_box_append (GTK_BOX (buttons), self->isolate_button);
  gtk_box_append (GTK_BOX (buttons), self->show_all_button);
  gtk_box_append (GTK_BOX (side), buttons);
  self->list_caption = caption ("");
  gtk_label_set_xalign (GTK_LABEL (self->list_caption), 0);
  gtk_label_set_wrap (GTK_LABEL (self->list_caption), TRUE);
  gtk_box_append (GTK_BOX (side), self->list_caption);
  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "lm-projector-neighbours");
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  self->list_more = caption ("");
  gtk_widget_set_visible (self->list_more, FALSE);
  gtk_box_append (GTK_BOX (list_box), self->list);
  gtk_box_append (GTK_BOX (list_box), self->list_more);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), list_box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (side), scroll);
  gtk_widget_set_size_request (side, 280, -1);
  /* the rows' labels expand within it; the extra width goes to the view */
  gtk_widget_set_hexpand (side, FALSE);
  gtk_widget_set_margin_start (side, 8);
  gtk_widget_set_margin_end (side, 8);
  gtk_widget_set_margin_bottom (side, 8);
  gtk_widget_set_visible (side, FALSE);
  self->side = side;
}

/* The inspector shows beside the points only. */
static void
on_stack_child (LmProjectorPage *self)
{
  gtk_widget_set_visible (self->side,
                          g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->stack)), "view") == 0);
}

static void
lm_projector_page_init (LmProjectorPage *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6), *controls = wrap_row (6);

  self->tensor_id = -1;
  self->pca_ms = -1;
  self->selected = -1;
  self->reselect = -1;
  self->nn_ms = -1;
  self->tsne_iterations = LM_PROJECTOR_TSNE_ITERATIONS;
  self->status_text = g_strdup ("");
  self->status_base = g_strdup ("");
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->run_names = gtk_string_list_new (NULL);
  self->tensor_names = gtk_string_list_new (NULL);
  self->run_drop = gtk_drop_down_new (G_LIST_MODEL (self->run_names), NULL);
  self->tensor_drop = gtk_drop_down_new (G_LIST_MODEL (self->tensor_names), NULL);
  gtk_widget_set_tooltip_text (self->run_drop, "Run");
  gtk_widget_set_tooltip_text (self->tensor_drop, "Tensor: tag, step, points × dimensions");
  g_signal_connect (self->run_drop, "notify::selected", G_CALLBACK (on_run_selected), self);
  g_signal_connect (self->tensor_drop, "notify::selected", G_CALLBACK (on_tensor_selected), self);
  self->method_drop = gtk_drop_down_new_from_strings ((const char *const[]) { "PCA", "t-SNE", "UMAP", "Custom",
                                                                              NULL });
  gtk_widget_set_tooltip_text (self->method_drop, "Projection: PCA (the top principal components), t-SNE or UMAP "
                                                  "(both keep neighbours together; they run live), or Custom (axes "
                                                  "between the points two label searches find)");
  g_signal_connect (self->method_drop, "notify::selected", G_CALLBACK (on_method_selected), self);
  self->flat_toggle = gtk_toggle_button_new_with_label ("2D");
  gtk_widget_set_tooltip_text (self->flat_toggle, "Show the first two components flat (drag pans) instead of "
                                                  "three in 3D (drag rotates)");
  g_signal_connect (self->flat_toggle, "toggled", G_CALLBACK (on_flat_toggled), self);
  self->thumb_check = gtk_check_button_new_with_label ("Thumbnails");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->thumb_check), TRUE);
  gtk_widget_set_tooltip_text (self->thumb_check, "Draw each point's label_img instead of a dot");
  g_signal_connect (self->thumb_check, "toggled", G_CALLBACK (on_thumbs_toggled), self);
  self->search = gtk_search_entry_new ();
  g_signal_connect (self->search, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->search, "activate", G_CALLBACK (on_search_activate), self);
  gtk_box_append (GTK_BOX (controls), captioned ("Run", self->run_drop));
  gtk_box_append (GTK_BOX (controls), captioned ("Tensor", self->tensor_drop));
  gtk_box_append (GTK_BOX (controls), self->method_drop);
  self->sphereize_check = gtk_check_button_new_with_label ("Sphereize data");
  gtk_widget_set_tooltip_text (self->sphereize_check, "Before PCA, shift each point by the centroid and make it unit "
                                                      "norm (TensorBoard's Sphereize data)");
  g_signal_connect_swapped (self->sphereize_check, "toggled", G_CALLBACK (on_sphereize_toggled), self);
  gtk_box_append (GTK_BOX (controls), self->sphereize_check);
  gtk_box_append (GTK_BOX (controls), self->flat_toggle);
  gtk_box_append (GTK_BOX (controls), self->thumb_check);
  build_columns_bar (self);
  gtk_widget_set_valign (self->search, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (bar), controls);
  gtk_box_append (GTK_BOX (bar), self->search);
  bar_margins (bar);
  gtk_box_append (GTK_BOX (self), bar);
  gtk_box_append (GTK_BOX (self), self->columns_bar);

  /* TensorBoard's t-SNE panel: perplexity, learning rate, re-run, pause,
   * the iteration; shown while t-SNE is the method, and with Neighbors in
   * place of perplexity and learning rate (its UMAP panel) for UMAP */
  self->tsne_bar = wrap_row (6);
  self->perp_spin = gtk_spin_button_new_with_range (2, 100, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->perp_spin), LM_TSNE_DEFAULT_PERPLEXITY);
  gtk_widget_set_tooltip_text (self->perp_spin, "Perplexity: about how many neighbours each point keeps close "
                                                "(5 to 50 is usual); a change runs t-SNE again");
  g_signal_connect (self->perp_spin, "value-changed", G_CALLBACK (on_perplexity_changed), self);
  self->lr_drop = gtk_drop_down_new_from_strings (learning_rates);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->lr_drop), 1);
  gtk_widget_set_tooltip_text (self->lr_drop, "Learning rate (epsilon) of the gradient steps; applies to the "
                                              "running t-SNE from its next step");
  g_signal_connect (self->lr_drop, "notify::selected", G_CALLBACK (on_learning_rate_selected), self);
  self->umap_spin = gtk_spin_button_new_with_range (LM_UMAP_MIN_NEIGHBORS, LM_UMAP_MAX_NEIGHBORS, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->umap_spin), LM_UMAP_DEFAULT_NEIGHBORS);
  gtk_widget_set_tooltip_text (self->umap_spin, "Neighbors: how many nearest points (itself included) shape each "
                                                "point's neighbourhood; more keeps more global structure.  A change "
                                                "runs UMAP again");
  g_signal_connect (self->umap_spin, "value-changed", G_CALLBACK (on_umap_neighbors_changed), self);
  self->rerun_button = gtk_button_new_with_label ("Re-run");
  gtk_widget_set_tooltip_text (self->rerun_button, "Start again from a new random layout");
  g_signal_connect (self->rerun_button, "clicked", G_CALLBACK (on_rerun_clicked), self);
  self->pause_button = gtk_toggle_button_new_with_label ("Pause");
  gtk_widget_set_tooltip_text (self->pause_button, "Pause or resume the optimisation");
  g_signal_connect (self->pause_button, "toggled", G_CALLBACK (on_pause_toggled), self);
  self->iter_label = gtk_label_new ("Iteration: –");
  gtk_label_set_width_chars (GTK_LABEL (self->iter_label), 22);
  gtk_label_set_xalign (GTK_LABEL (self->iter_label), 0);
  self->tsne_opts = wrap_row (6);
  gtk_box_append (GTK_BOX (self->tsne_opts), captioned ("Perplexity", self->perp_spin));
  gtk_box_append (GTK_BOX (self->tsne_opts), captioned ("Learning rate", self->lr_drop));
  gtk_box_append (GTK_BOX (self->tsne_bar), self->tsne_opts);
  self->umap_opts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->umap_opts), caption ("Neighbors"));
  gtk_box_append (GTK_BOX (self->umap_opts), self->umap_spin);
  gtk_widget_set_visible (self->umap_opts, FALSE);
  gtk_box_append (GTK_BOX (self->tsne_bar), self->umap_opts);
  gtk_box_append (GTK_BOX (self->tsne_bar), self->rerun_button);
  gtk_box_append (GTK_BOX (self->tsne_bar), self->pause_button);
  gtk_box_append (GTK_BOX (self->tsne_bar), self->iter_label);
  bar_margins (self->tsne_bar);
  gtk_widget_set_visible (self->tsne_bar, FALSE);
  gtk_box_append (GTK_BOX (self), self->tsne_bar);
  build_custom_bar (self);
  gtk_box_append (GTK_BOX (self), self->custom_bar);

  self->status = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->status), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_set_margin_start (self->status, 10);
  gtk_widget_set_margin_top (self->status, 4);
  gtk_widget_set_margin_bottom (self->status, 4);
  gtk_box_append (GTK_BOX (self), self->status);

  self->view = lm_projector_view_new ();
  self->empty = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (self->empty),
                        "<big>No embeddings to project</big>\n\n"
                        "Log one as SummaryWriter.add_embedding does:\n"
                        "<tt>lm_writer_add_embedding (w, \"features\", step, mat, n, d, labels,\n"
                        "                         images, 1, 28, 28);</tt>\n\n"
                        "lumen-train logs 100 test images at the end of training\n"
                        "(<tt>--embedding-samples N</tt>, 0 turns it off).");
  gtk_label_set_justify (GTK_LABEL (self->empty), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (self->empty, "dim-label");
  gtk_widget_add_css_class (self->empty, "lm-projector-empty");
  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), self->empty, "empty");
  gtk_stack_add_named (GTK_STACK (self->stack), self->view, "view");
  self->damaged = gtk_label_new (NULL);
  gtk_label_set_justify (GTK_LABEL (self->damaged), GTK_JUSTIFY_CENTER);
  gtk_label_set_wrap (GTK_LABEL (self->damaged), TRUE);
  gtk_widget_add_css_class (self->damaged, "lm-projector-damaged");
  gtk_stack_add_named (GTK_STACK (self->stack), self->damaged, "damaged");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  /* as wide as what it shows: the empty state's code line does not
   * widen the view */
  gtk_stack_set_hhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_widget_set_hexpand (self->stack, TRUE);
  g_signal_connect (self->view, "point-activated", G_CALLBACK (on_point_activated), self);
  build_inspector (self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_stack_child), self);
  GtkWidget *main = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_box_append (GTK_BOX (main), self->stack);
  gtk_box_append (GTK_BOX (main), self->side);
  gtk_box_append (GTK_BOX (self), main);
  search_texts (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), self);
}

GtkWidget *
lm_projector_page_new (LmRunStore *store)
{
  LmProjectorPage *self = g_object_new (LM_TYPE_PROJECTOR_PAGE, NULL);

  g_return_val_if_fail (LM_IS_RUN_STORE (store), NULL);
  self->store = g_object_ref (store);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_runs_changed), self);
  start_job (self, NULL, -1);
  return GTK_WIDGET (self);
}

LmProjectorView *
lm_projector_page_get_view (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), NULL);
  return LM_PROJECTOR_VIEW (self->view);
}

GtkWidget *
lm_projector_page_get_search_entry (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), NULL);
  return self->search;
}

gboolean
lm_projector_page_set_tensor (LmProjectorPage *self, const char *run_name, gint64 id)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), FALSE);
  if (lm_run_store_find (self->store, run_name) == NULL)
    return FALSE;
  start_job (self, run_name, id);
  return TRUE;
}

guint64
lm_projector_page_get_n_live_updates (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), 0);
  return self->n_polls_changed;
}

const char *
lm_projector_page_get_status (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), NULL);
  return self->status_text;
}

double
lm_projector_page_get_pca_ms (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), -1);
  return self->pca_ms;
}

gboolean
lm_projector_page_is_settled (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), FALSE);
  if (self->loading || !self->settled || self->nn_cancel != NULL)
    return FALSE;
  /* t-SNE: once its last layout is on screen (or it failed) */
  LayoutRun *run = self->layout;
  gboolean over;

  if (run == NULL)
    return TRUE;
  g_mutex_lock (&run->lock);
  over = run->done && !run->posted && (run->error != NULL || self->layout_shown == run->iterations);
  g_mutex_unlock (&run->lock);
  return over;
}

void
lm_projector_page_set_method (LmProjectorPage *self, LmProjectorMethod method)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  if (method == self->method)
    return;
  self->method = method;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->method_drop), method);
  gtk_widget_set_visible (self->tsne_bar, runs_layout (method));
  gtk_widget_set_visible (self->tsne_opts, method == LM_PROJECTOR_TSNE);
  gtk_widget_set_visible (self->umap_opts, method == LM_PROJECTOR_UMAP);
  gtk_widget_set_tooltip_text (self->flat_toggle, method == LM_PROJECTOR_TSNE
                                                      ? "Run t-SNE in two dimensions (drag pans) instead of three "
                                                        "(drag rotates)"
                                                  : method == LM_PROJECTOR_UMAP
                                                      ? "Run UMAP in two dimensions (drag pans) instead of three "
                                                        "(drag rotates)"
                                                      : "Show the first two components flat (drag pans) instead of "
                                                        "three in 3D (drag rotates)");
  gtk_widget_set_visible (self->sphereize_check, method == LM_PROJECTOR_PCA);
  gtk_widget_set_visible (self->custom_bar, method == LM_PROJECTOR_CUSTOM);
  /* TensorBoard's custom projection is 2D */
  gtk_widget_set_sensitive (self->flat_toggle, method != LM_PROJECTOR_CUSTOM);
  lm_projector_view_set_2d (LM_PROJECTOR_VIEW (self->view),
                            method == LM_PROJECTOR_CUSTOM
                              || gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->flat_toggle)));
  if (runs_layout (method))
    layout_start (self);
  else
    {
      /* back to the whole tensor (t-SNE may show a sample), or still
       * just the isolated points */
      gboolean sampled = self->sampled_of > 0 && !self->isolated;

      layout_stop (self);
      show_iteration (self);
      if (method == LM_PROJECTOR_CUSTOM && !sampled)
        custom_apply (self, FALSE);
      else
        reproject (self);
    }
}

LmProjectorMethod
lm_projector_page_get_method (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), LM_PROJECTOR_PCA);
  return self->method;
}

void
lm_projector_page_set_tsne_iterations (LmProjectorPage *self, guint iterations)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  self->tsne_iterations = MAX (iterations, 1);
  if (self->method == LM_PROJECTOR_TSNE)
    layout_start (self);
}

void
lm_projector_page_set_umap_epochs (LmProjectorPage *self, guint epochs)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  self->umap_epochs = epochs;
  if (self->method == LM_PROJECTOR_UMAP)
    layout_start (self);
}

guint
lm_projector_page_get_tsne_threads (LmProjectorPage *self, guint *live)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), 0);
  *live = (guint) g_atomic_int_get (&layout_live);
  return self->layout_started;
}

guint
lm_projector_page_get_tsne_iteration (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), 0);
  return self->layout_shown;
}

GtkWidget *
lm_projector_page_get_control (LmProjectorPage *self, const char *name)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), NULL);
  if (g_strcmp0 (name, "method") == 0)
    return self->method_drop;
  if (g_strcmp0 (name, "2d") == 0)
    return self->flat_toggle;
  if (g_strcmp0 (name, "perplexity") == 0)
    return self->perp_spin;
  if (g_strcmp0 (name, "learning-rate") == 0)
    return self->lr_drop;
  if (g_strcmp0 (name, "rerun") == 0)
    return self->rerun_button;
  if (g_strcmp0 (name, "pause") == 0)
    return self->pause_button;
  if (g_strcmp0 (name, "iteration") == 0)
    return self->iter_label;
  if (g_strcmp0 (name, "tsne-bar") == 0)
    return self->tsne_bar;
  if (g_strcmp0 (name, "umap-neighbors") == 0)
    return self->umap_spin;
  if (g_strcmp0 (name, "neighbors") == 0)
    return self->nn_spin;
  if (g_strcmp0 (name, "metric") == 0)
    return self->metric_drop;
  if (g_strcmp0 (name, "isolate") == 0)
    return self->isolate_button;
  if (g_strcmp0 (name, "show-all") == 0)
    return self->show_all_button;
  if (g_strcmp0 (name, "inspector") == 0)
    return self->side;
  if (g_strcmp0 (name, "inspector-title") == 0)
    return self->insp_title;
  if (g_strcmp0 (name, "inspector-columns") == 0)
    return self->insp_meta;
  if (g_strcmp0 (name, "label-by") == 0)
    return self->label_drop;
  if (g_strcmp0 (name, "color-by") == 0)
    return self->color_drop;
  if (g_strcmp0 (name, "search-by") == 0)
    return self->search_drop;
  if (g_strcmp0 (name, "inspector-list") == 0)
    return self->list;
  if (g_strcmp0 (name, "sphereize") == 0)
    return self->sphereize_check;
  if (g_strcmp0 (name, "custom-bar") == 0)
    return self->custom_bar;
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *entry = g_ascii_strdown (custom_names[k], -1);
      g_autofree char *regex = g_strconcat (entry, "-regex", NULL), *count = g_strconcat (entry, "-count", NULL);

      if (g_strcmp0 (name, entry) == 0)
        return self->custom_entry[k];
      if (g_strcmp0 (name, regex) == 0)
        return self->custom_regex[k];
      if (g_strcmp0 (name, count) == 0)
        return self->custom_count[k];
    }
  return NULL;
}

void
lm_projector_page_select_when_loaded (LmProjectorPage *self, const char *label_or_index)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  g_free (self->want_select);
  self->want_select = g_strdup (label_or_index);
  if (!self->loading && lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view)) != NULL)
    select_wanted (self);
}

void
lm_projector_page_color_by_when_loaded (LmProjectorPage *self, const char *column)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  g_free (self->want_color);
  self->want_color = g_strdup (column);
  if (!self->loading && lm_projector_view_get_embedding (LM_PROJECTOR_VIEW (self->view)) != NULL)
    color_wanted (self);
}

int
lm_projector_page_get_selected (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), -1);
  return self->selected;
}

gsize
lm_projector_page_get_neighbors (LmProjectorPage *self, const guint32 **idx, const float **dist)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), 0);
  if (idx)
    *idx = self->nn_idx;
  if (dist)
    *dist = self->nn_dist;
  return self->nn_n;
}

double
lm_projector_page_get_nearest_ms (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), -1);
  return self->nn_ms;
}

gboolean
lm_projector_page_get_isolated (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), FALSE);
  return self->isolated;
}

guint
lm_projector_page_get_custom_searches_run (LmProjectorPage *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_PAGE (self), 0);
  return self->custom_searches_run;
}

void
lm_projector_page_set_custom_search (LmProjectorPage *self, LmProjectorCustomEnd end, const char *text,
                                     gboolean regex)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  g_return_if_fail (end <= LM_PROJECTOR_CUSTOM_DOWN);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->custom_regex[end]), regex);
  gtk_editable_set_text (GTK_EDITABLE (self->custom_entry[end]), text ? text : "");
}

void
lm_projector_page_set_sphereize (LmProjectorPage *self, gboolean sphereize)
{
  g_return_if_fail (LM_IS_PROJECTOR_PAGE (self));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->sphereize_check), sphereize);
}
