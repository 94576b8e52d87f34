/* lm-records.c: live non-scalar records of every run (see lm-records.h).
 *
 * Threading: at most one poll job is in flight.  The job owns the table of
 * per-run connections while it runs on a GTask worker thread and hands it
 * back with its results, so no connection is ever shared between threads
 * and no lock is needed.  The main thread only merges results.
 *
 * PR curves come newest first: a sweep's 10,000 curves are 1.3 million
 * point rows, a second or more to read, yet a card shows one step.  So a
 * job reads the new curves' headers and, per tag, the newest curve's
 * points; the others enter the series pending and the jobs that follow,
 * straight after, read their points a slice at a time and put each whole
 * curve in its place.
 */
#include "lm-records-private.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-reader-private.h"
#include "lm-scan-private.h"
#include "lm-natural.h"

#define DEFAULT_POLL_MS 500
#define PENDING_SLICE_US (200 * 1000)

struct _LmRecordFeed
{
  GObject parent_instance;

  LmRunStore *store;
  LmRecordKind kind;
  guint poll_ms;
  gboolean active;
  guint users;              /* lm_record_feed_hold's count */
  guint poll_id;
  gboolean in_flight;
  gboolean store_dirty;     /* runs changed since the last job started */
  gboolean loaded;
  GCancellable *cancellable;
  GHashTable *conns;        /* run name -> Conn*, NULL while a job holds it */
  GHashTable *by_key;       /* "run\ntag" -> LmRecordSeries* */
  GPtrArray *sorted;        /* LmRecordSeries*, by tag then run */
  GHashTable *errors;       /* run name -> message */
  guint n_pending;          /* PR curves in the series still pending */
  gint n_opens;             /* atomic: lm_reader_open calls, for tests */
};

G_DEFINE_FINAL_TYPE (LmRecordFeed, lm_record_feed, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  sqlite3 *db;
  gint64 data_version;
  gint64 last_id;
  gboolean read_once;
  GArray *pending;     /* PR curve ids read without their points yet */
  char *failure;       /* why a corrupt or foreign file failed ... */
  gint64 failed_stamp; /* ...and its lm_scan_stamp then */
} Conn;

typedef struct
{
  char *run_name;
  char *path;
  char *error;
  GHashTable *rows;    /* tag -> GPtrArray of items */
  /* hparams, read once every run's version is known (read_hparams_runs) */
  Conn *conn;          /* NULL when the file could not be opened */
  gint64 version;
  char *dir;           /* the run's folder, absolute */
  gboolean dirty;
} RunJob;

typedef struct
{
  LmRecordKind kind;
  GHashTable *conns;
  GPtrArray *runs;     /* RunJob* */
  gboolean more;       /* PR curves left pending: another job reads them */
} Job;

static void
conn_free (gpointer data)
{
  Conn *c = data;

  if (c->db != NULL)
    sqlite3_close (c->db);
  g_array_unref (c->pending);
  g_free (c->failure);
  g_free (c);
}

static void
run_job_free (gpointer data)
{
  RunJob *r = data;

  g_free (r->run_name);
  g_free (r->path);
  g_free (r->dir);
  g_free (r->error);
  g_clear_pointer (&r->rows, g_hash_table_unref);
  g_free (r);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->conns, g_hash_table_unref);
  g_ptr_array_unref (job->runs);
  g_free (job);
}

/* --------------------------------------------------------------- worker */

typedef struct
{
  GHashTable *by_dir;   /* run folder -> RunJob* */
  const char *dir;      /* the folder of the run being read */
} SubRuns;

static gpointer
find_sub_run (const char *group, gpointer data)
{
  SubRuns *subs = data;
  g_autofree char *dir = g_canonicalize_filename (group, subs->dir);
  RunJob *sub = g_hash_table_lookup (subs->by_dir, dir);

  return sub != NULL ? sub->conn->db : NULL;
}

/* Whether a run with hparams lives in dir or a folder above it, up to
 * (not including) the session's folder `top`. */
static gboolean
below_other_session (GHashTable *by_dir, const char *dir, const char *top)
{
  g_autofree char *d = g_strdup (dir);

  while (strcmp (d, top) != 0 && g_path_skip_root (d)[0] != '\0')
    {
      RunJob *r = g_hash_table_lookup (by_dir, d);
      char *up = g_path_get_dirname (d);

      if (r != NULL && lm_hparams_present (r->conn->db))
        {
          g_free (up);
          return TRUE;
        }
      g_free (d);
      d = up;
    }
  return FALSE;
}

static int
compare_groups (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
list_sub_runs (gpointer data)
{
  SubRuns *subs = data;
  GPtrArray *groups = g_ptr_array_new_with_free_func (g_free);
  size_t n = strlen (subs->dir);
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, subs->by_dir);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      const char *dir = key;

      if (strncmp (dir, subs->dir, n) == 0 && dir[n] == G_DIR_SEPARATOR
          && !below_other_session (subs->by_dir, dir, subs->dir))
        g_ptr_array_add (groups, g_strdup (dir + n + 1));
    }
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

/* Hparams: a run is read again when its file changed or the file of a
 * run in a folder below its own did (a metric of a sub-run, TensorBoard's
 * MetricName.group, takes its value there). */
static void
read_hparams_runs (Job *job)
{
  g_autoptr (GHashTable) by_dir = g_hash_table_new (g_str_hash, g_str_equal);
  SubRuns subs = { by_dir, NULL };
  static const LmHparamsSubRun sub_run = { find_sub_run, list_sub_runs };

  for (guint i = 0; i < job->runs->len; i++)
    {
      RunJob *r = job->runs->pdata[i];
      g_autofree char *dir = g_path_get_dirname (r->path);

      if (r->conn == NULL)
        continue;
      r->dir = g_canonicalize_filename (dir, NULL);
      g_hash_table_insert (by_dir, r->dir, r);
    }
  for (guint i = 0; i < job->runs->len; i++)
    {
      RunJob *r = job->runs->pdata[i];
      g_autofree char *dir = NULL;

      if (r->conn == NULL || (r->conn->read_once && r->version == r->conn->data_version))
        continue;
      r->dirty = TRUE;
      for (dir = g_path_get_dirname (r->dir); g_path_skip_root (dir)[0] != '\0';)
        {
          RunJob *up = g_hash_table_lookup (by_dir, dir);
          char *next = g_path_get_dirname (dir);

          if (up != NULL)
            up->dirty = TRUE;
          g_free (dir);
          dir = next;
        }
    }
  for (guint i = 0; i < job->runs->len; i++)
    {
      RunJob *r = job->runs->pdata[i];

      if (!r->dirty)
        continue;
      r->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
      subs.dir = r->dir;
      if (!lm_hparams_read (r->conn->db, &sub_run, &subs, r->rows, &r->error))
        continue;
      r->conn->data_version = r->version;
      r->conn->read_once = TRUE;
    }
}

static void
poll_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  /* pending PR curves are read a slice a job, so that a new run or new
   * rows never wait behind a whole sweep's older steps */
  gint64 pending_deadline = g_get_monotonic_time () + PENDING_SLICE_US;

  for (guint i = 0; i < job->runs->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      RunJob *r = job->runs->pdata[i];
      Conn *c = g_hash_table_lookup (job->conns, r->run_name);
      gint64 version = 0;
      gboolean transient, read_pending;

      if (c == NULL)
        {
          c = g_new0 (Conn, 1);
          c->pending = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (job->conns, g_strdup (r->run_name), c);
        }
      if (c->db != NULL && lm_reader_is_stale (c->db))
        {
          /* a finished run written again: its immutable connection
           * cannot see the new rows; a new one (and a read) does */
          g_clear_pointer (&c->db, sqlite3_close);
          c->read_once = FALSE;
        }
      if (c->failure != NULL)
        {
          /* Not retried every poll: only once the file changes. */
          gint64 stamp = lm_scan_stamp (r->path);

          if (stamp == c->failed_stamp)
            {
              r->error = g_strdup (c->failure);
              continue;
            }
          g_clear_pointer (&c->failure, g_free);
        }
      if (c->db == NULL)
        {
          gint64 stamp = lm_scan_stamp (r->path);

          g_atomic_int_inc (&LM_RECORD_FEED (source)->n_opens);
          if ((c->db = lm_reader_open (r->path, &r->error, &transient)) == NULL)
            {
              if (!transient)
                {
                  c->failure = g_strdup (r->error);
                  c->failed_stamp = stamp;
                }
              continue;
            }
        }
      if (!lm_reader_data_version (c->db, &version, &r->error))
        {
          g_clear_pointer (&c->db, sqlite3_close);
          continue;
        }
      if (job->kind == LM_RECORD_HPARAMS)
        {
          r->conn = c;
          r->version = version;
          continue;
        }
      read_pending = c->pending->len > 0 && g_get_monotonic_time () < pending_deadline;
      job->more |= c->pending->len > 0 && !read_pending;
      if (c->read_once && version == c->data_version && !read_pending)
        continue;
      r->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
      if (job->kind == LM_RECORD_PR_CURVE)
        {
          /* The older curves' points, left by a job before; then the new
           * curves, each tag's newest in full: what a card shows first. */
          if (read_pending)
            {
              if (!lm_pr_curves_read_ids (c->db, c->pending, r->rows, &r->error))
                continue;
              g_array_set_size (c->pending, 0);
            }
          if (!(c->read_once && version == c->data_version)
              && !lm_pr_curves_read_newest (c->db, &c->last_id, r->rows, c->pending, &r->error))
            continue;
          job->more |= c->pending->len > 0;
        }
      else if (!lm_records_read (c->db, job->kind, &c->last_id, r->rows, &r->error))
        continue;
      c->data_version = version;
      c->read_once = TRUE;
    }
  if (job->kind == LM_RECORD_HPARAMS && !g_cancellable_is_cancelled (cancellable))
    read_hparams_runs (job);
  g_task_return_boolean (task, TRUE);
}

static int
compare_series (gconstpointer a, gconstpointer b)
{
  const LmRecordSeries *sa = *(LmRecordSeries *const *) a, *sb = *(LmRecordSeries *const *) b;
  int c = lm_natural_compare (sa->tag, sb->tag);

  return c ? c : lm_natural_compare (sa->run_name, sb->run_name);
}

static int
compare_items (gconstpointer a, gconstpointer b)
{
  /* Every item type starts with (id, step). */
  const gint64 *ia = *(gint64 *const *) a, *ib = *(gint64 *const *) b;

  if (ia[1] != ib[1])
    return ia[1] < ib[1] ? -1 : 1;
  return ia[0] < ib[0] ? -1 : (ia[0] > ib[0]);
}

static void
series_free (gpointer data)
{
  LmRecordSeries *s = data;

  g_free (s->run_name);
  g_free (s->tag);
  g_ptr_array_unref (s->items);
  g_free (s);
}

static gboolean merge_run (LmRecordFeed *self, RunJob *r);

static void schedule (LmRecordFeed *self);

static void
on_poll_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmRecordFeed *self = LM_RECORD_FEED (source);
  Job *job = g_task_get_task_data (G_TASK (res));
  gboolean changed = FALSE;
  g_autoptr (GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer k, v;

  self->in_flight = FALSE;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->conns = g_steal_pointer (&job->conns);
  for (guint i = 0; i < job->runs->len; i++)
    {
      RunJob *r = job->runs->pdata[i];

      g_hash_table_add (present, r->run_name);
      changed |= merge_run (self, r);
    }
  /* Runs gone from the store lose their series and connection. */
  g_hash_table_iter_init (&it, self->by_key);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_hash_table_contains (present, ((LmRecordSeries *) v)->run_name))
      {
        g_ptr_array_remove (self->sorted, v);
        if (self->kind == LM_RECORD_PR_CURVE)
          for (guint i = 0; i < ((LmRecordSeries *) v)->items->len; i++)
            self->n_pending -= ((LmPrCurve *) ((LmRecordSeries *) v)->items->pdata[i])->pending;
        g_hash_table_iter_remove (&it);
        changed = TRUE;
      }
  g_hash_table_iter_init (&it, self->conns);
  while (g_hash_table_iter_next (&it, &k, NULL))
    if (!g_hash_table_contains (present, k))
      g_hash_table_iter_remove (&it);

  if (!self->store_dirty && !lm_run_store_get_loading (self->store) && !self->loaded)
    {
      self->loaded = TRUE;
      changed = TRUE;
    }
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
  if ((self->store_dirty || job->more) && self->active)
    schedule (self);
}

/* The item of s with item's (step, id), or -1; among its first n items,
 * which are in (step, id) order. */
static gint
find_item (LmRecordSeries *s, guint n, gpointer item)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int c = compare_items (&s->items->pdata[mid], &item);

      if (c == 0)
        return (gint) mid;
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

static gboolean
merge_run (LmRecordFeed *self, RunJob *r)
{
  gboolean changed = FALSE;
  GHashTableIter it;
  gpointer k, v;

  if (g_strcmp0 (g_hash_table_lookup (self->errors, r->run_name), r->error) != 0)
    {
      if (r->error)
        g_hash_table_insert (self->errors, g_strdup (r->run_name), g_strdup (r->error));
      else
        g_hash_table_remove (self->errors, r->run_name);
      changed = TRUE;
    }
  if (r->rows == NULL)
    return changed;
  g_hash_table_iter_init (&it, r->rows);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *key = g_strconcat (r->run_name, "\n", k, NULL);
      LmRecordSeries *s = g_hash_table_lookup (self->by_key, key);
      GPtrArray *rows = v;
      gboolean sorted = TRUE;
      guint n_old;

      if (s == NULL)
        {
          s = g_new0 (LmRecordSeries, 1);
          s->run_name = g_strdup (r->run_name);
          s->tag = g_strdup (k);
          s->kind = self->kind;
          s->items = g_ptr_array_new_with_free_func (lm_record_item_free_func (self->kind));
          g_hash_table_insert (self->by_key, g_steal_pointer (&key), s);
          g_ptr_array_add (self->sorted, s);
          g_ptr_array_sort (self->sorted, compare_series);
        }
      if (self->kind == LM_RECORD_HPARAMS || self->kind == LM_RECORD_CUSTOM_SCALARS)
        g_ptr_array_set_size (s->items, 0);   /* a fresh full read */
      n_old = s->items->len;
      for (guint i = 0; i < rows->len; i++)
        {
          gpointer item = rows->pdata[i];
          gint old;

          if (self->kind == LM_RECORD_PR_CURVE)
            {
              /* a pending curve read in full takes its place */
              if (((LmPrCurve *) item)->pending)
                self->n_pending++;
              else if ((old = find_item (s, n_old, item)) >= 0)
                {
                  if (((LmPrCurve *) s->items->pdata[old])->pending)
                    self->n_pending--;
                  lm_pr_curve_free (s->items->pdata[old]);
                  s->items->pdata[old] = item;
                  continue;
                }
            }
          if (s->items->len > 0 && self->kind != LM_RECORD_HPARAMS
              && self->kind != LM_RECORD_CUSTOM_SCALARS
              && compare_items (&s->items->pdata[s->items->len - 1], &item) > 0)
            sorted = FALSE;
          g_ptr_array_add (s->items, item);
        }
      /* The items moved into the series: empty the job's array without freeing them. */
      g_ptr_array_set_free_func (rows, NULL);
      if (!sorted)
        g_ptr_array_sort (s->items, compare_items);
      s->version++;
      changed = TRUE;
    }
  return changed;
}

static void
start_job (LmRecordFeed *self)
{
  Job *job = g_new0 (Job, 1);
  GListModel *model = G_LIST_MODEL (self->store);
  GTask *task;

  job->kind = self->kind;
  job->conns = g_steal_pointer (&self->conns);
  job->runs = g_ptr_array_new_with_free_func (run_job_free);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (model, i);
      RunJob *r = g_new0 (RunJob, 1);

      r->run_name = g_strdup (lm_run_get_name (run));
      r->path = g_strdup (lm_run_get_path (run));
      g_ptr_array_add (job->runs, r);
    }
  self->store_dirty = FALSE;
  self->in_flight = TRUE;
  task = g_task_new (self, self->cancellable, on_poll_done, NULL);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, poll_thread);
  g_object_unref (task);
}

static gboolean
on_poll (gpointer user_data)
{
  LmRecordFeed *self = user_data;

  if (!self->in_flight)
    start_job (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule (LmRecordFeed *self)
{
  if (!self->in_flight)
    start_job (self);
}

static void
on_store_items (GListModel *model, guint pos, guint removed, guint added, LmRecordFeed *self)
{
  self->store_dirty = TRUE;
  self->loaded = FALSE;
  if (self->active)
    schedule (self);
}

static void
on_store_loading (GObject *object, GParamSpec *pspec, LmRecordFeed *self)
{
  if (!lm_run_store_get_loading (self->store) && self->active)
    {
      self->store_dirty = TRUE;
      schedule (self);
    }
}

/* --------------------------------------------------------------- object */

static void
lm_record_feed_dispose (GObject *object)
{
  LmRecordFeed *self = LM_RECORD_FEED (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_record_feed_parent_class)->dispose (object);
}

static void
lm_record_feed_finalize (GObject *object)
{
  LmRecordFeed *self = LM_RECORD_FEED (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->conns, g_hash_table_unref);
  g_ptr_array_unref (self->sorted);
  g_hash_table_unref (self->by_key);
  g_hash_table_unref (self->errors);
  G_OBJECT_CLASS (lm_record_feed_parent_class)->finalize (object);
}

static void
lm_record_feed_class_init (LmRecordFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lm_record_feed_dispose;
  object_class->finalize = lm_record_feed_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_record_feed_init (LmRecordFeed *self)
{
  self->poll_ms = DEFAULT_POLL_MS;
  self->cancellable = g_cancellable_new ();
  self->conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, conn_free);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, series_free);
  self->sorted = g_ptr_array_new ();
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->store_dirty = TRUE;
}

LmRecordFeed *
lm_record_feed_new (LmRunStore *store, LmRecordKind kind)
{
  LmRecordFeed *self;

  g_return_val_if_fail (LM_IS_RUN_STORE (store), NULL);
  self = g_object_new (LM_TYPE_RECORD_FEED, NULL);
  self->store = g_object_ref (store);
  self->kind = kind;
  g_signal_connect (store, "items-changed", G_CALLBACK (on_store_items), self);
  g_signal_connect (store, "notify::loading", G_CALLBACK (on_store_loading), self);
  return self;
}

LmRecordKind
lm_record_feed_get_kind (LmRecordFeed *self)
{
  return self->kind;
}

LmRunStore *
lm_record_feed_get_store (LmRecordFeed *self)
{
  return self->store;
}

void
lm_record_feed_set_active (LmRecordFeed *self, gboolean active)
{
  g_return_if_fail (LM_IS_RECORD_FEED (self));
  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (active)
    {
      self->poll_id = g_timeout_add (self->poll_ms, on_poll, self);
      schedule (self);
    }
}

void
lm_record_feed_hold (LmRecordFeed *self)
{
  g_return_if_fail (LM_IS_RECORD_FEED (self));
  if (self->users++ == 0)
    lm_record_feed_set_active (self, TRUE);
}

void
lm_record_feed_release (LmRecordFeed *self)
{
  g_return_if_fail (LM_IS_RECORD_FEED (self));
  g_return_if_fail (self->users > 0);
  if (--self->users == 0)
    lm_record_feed_set_active (self, FALSE);
}

gboolean
lm_record_feed_get_active (LmRecordFeed *self)
{
  g_return_val_if_fail (LM_IS_RECORD_FEED (self), FALSE);
  return self->active;
}

void
lm_record_feed_set_poll_interval (LmRecordFeed *self, guint poll_ms)
{
  self->poll_ms = poll_ms ? poll_ms : DEFAULT_POLL_MS;
  if (self->active)
    {
      g_clear_handle_id (&self->poll_id, g_source_remove);
      self->poll_id = g_timeout_add (self->poll_ms, on_poll, self);
    }
}

gboolean
lm_record_feed_get_loaded (LmRecordFeed *self)
{
  return self->loaded;
}

GPtrArray *
lm_record_feed_get_series (LmRecordFeed *self)
{
  return self->sorted;
}

LmRecordSeries *
lm_record_feed_find (LmRecordFeed *self, const char *run_name, const char *tag)
{
  g_autofree char *key = g_strconcat (run_name, "\n", tag, NULL);

  return g_hash_table_lookup (self->by_key, key);
}

gboolean
lm_record_feed_get_complete (LmRecordFeed *self)
{
  g_return_val_if_fail (LM_IS_RECORD_FEED (self), FALSE);
  return self->loaded && self->n_pending == 0;
}

const char *
lm_record_feed_get_run_error (LmRecordFeed *self, const char *run_name)
{
  return g_hash_table_lookup (self->errors, run_name);
}

guint
lm_record_feed_get_n_opens (LmRecordFeed *self)
{
  g_return_val_if_fail (LM_IS_RECORD_FEED (self), 0);
  return (guint) g_atomic_int_get (&self->n_opens);
}
