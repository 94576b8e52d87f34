/* lm-watcher.c: poll thread + worker pool reading run files (see header).
 *
 * Ownership: a Reader (one per run file) belongs to the poll thread while
 * no job of its is in flight (inflight == 0) and to its jobs otherwise;
 * the atomic inflight counter is the hand-off (its decrement is a full
 * barrier).  A load job owns the run's persistent connection; range jobs
 * open their own, read an id range and close it.  Results travel to the
 * main context through an async queue.
 *
 * Noticing changes: a run whose status is 'running' keeps a read-only
 * connection open and is polled with PRAGMA data_version (a read of the
 * WAL index, no I/O).  Finished runs, and runs nobody writes (opened as
 * immutable files, lm_reader_open), are closed after loading; a change
 * in size/mtime of the file or its -wal, seen by the directory walk,
 * reopens them.  The data_version baseline is taken before reading, so a
 * commit that lands during a read triggers another (harmless) read rather
 * than being missed.
 */
#include "lm-watcher-private.h"
#include "lm-scan-private.h"

#include <string.h>

typedef struct
{
  gint ref;
  char *name;
  char *path;
  guint index;              /* position by name: job priority */
  sqlite3 *db;
  gint64 data_version;
  gboolean have_version;
  gint64 last_id;           /* scalar ids requested so far */
  gint64 last_tag_id;
  guint epoch;
  gint inflight;            /* atomic */
  gint failed;              /* atomic: the current load hit an error */
  gint transient;           /* atomic: ...one that may clear by itself */
  gint64 retry_at;          /* monotonic us, for transient failures */
  gint64 stamp;             /* file stamp when the last read started */
  gint64 scan_stamp;        /* file stamp from the latest walk */
  guint64 inode;            /* inode of the file the connection has open */
  guint64 scan_inode;       /* inode from the latest walk */
  gboolean ever_loaded;
  gboolean keep_open;       /* status 'running' (or unknown) */
  char *scan_error;         /* a folder the walk could not read (fixed) */
} Reader;

typedef enum { JOB_LOAD, JOB_RANGE } JobKind;

typedef struct
{
  JobKind kind;
  Reader *reader;
  guint epoch;
  gint64 lo, hi;            /* RANGE */
  guint prio;
} Job;

struct _LmWatcher
{
  LmScanRoot *roots;
  guint n_roots;
  LmWatcherConfig cfg;
  GMainContext *context;
  LmWatchFunc func;
  gpointer user_data;
  GSource *source;
  GAsyncQueue *results;

  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean stop;            /* under lock */
  gboolean reload;          /* under lock */
  gint stopping;            /* atomic, read by jobs */
  GThreadPool *pool;

  /* Poll thread only. */
  GHashTable *readers;      /* name -> Reader* */
  GPtrArray *order;         /* Reader*, sorted by name */
  char *last_scan_error;
  gboolean scanned_once;
};

static Reader *
reader_ref (Reader *r)
{
  g_atomic_int_inc (&r->ref);
  return r;
}

static void
reader_unref (Reader *r)
{
  if (!g_atomic_int_dec_and_test (&r->ref))
    return;
  if (r->db != NULL)
    sqlite3_close (r->db);
  g_free (r->name);
  g_free (r->path);
  g_free (r->scan_error);
  g_free (r);
}

static void
close_db (Reader *r)
{
  if (r->db != NULL)
    sqlite3_close (r->db);
  r->db = NULL;
  r->have_version = FALSE;
}

/* ------------------------------------------------------- to main thread */

static void
post (LmWatcher *w, LmWatchMsg *msg)
{
  g_async_queue_push (w->results, msg);
  g_main_context_wakeup (w->context);
}

static void
post_read (LmWatcher *w, LmReadResult *res)
{
  LmWatchMsg *msg = g_new0 (LmWatchMsg, 1);

  msg->kind = LM_WATCH_MSG_READ;
  msg->read = res;
  post (w, msg);
}

static void
msg_free (LmWatchMsg *msg)
{
  if (msg->entries)
    g_ptr_array_unref (msg->entries);
  g_free (msg->error);
  lm_read_result_free (msg->read);
  g_free (msg);
}

typedef struct
{
  GSource source;
  LmWatcher *watcher;
} ResultSource;

static gboolean
source_prepare (GSource *source, gint *timeout)
{
  ResultSource *rs = (ResultSource *) source;

  *timeout = -1;
  return g_async_queue_length (rs->watcher->results) > 0;
}

static gboolean
source_check (GSource *source)
{
  ResultSource *rs = (ResultSource *) source;

  return g_async_queue_length (rs->watcher->results) > 0;
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  ResultSource *rs = (ResultSource *) source;
  LmWatcher *w = rs->watcher;
  gint64 deadline = g_get_monotonic_time () + 8000;
  LmWatchMsg *msg;

  /* A slice of at most ~8 ms, then back to the main loop so that input
   * and drawing go first; the source stays ready while work remains. */
  while ((msg = g_async_queue_try_pop (w->results)) != NULL)
    {
      w->func (msg, w->user_data);
      msg_free (msg);
      if (g_get_monotonic_time () > deadline)
        break;
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs result_source_funcs = {
  source_prepare, source_check, source_dispatch, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ jobs */

static void
submit (LmWatcher *w, Job *job)
{
  g_atomic_int_inc (&job->reader->inflight);
  g_thread_pool_push (w->pool, job, NULL);
}

static Job *
job_new (JobKind kind, Reader *r, guint epoch)
{
  Job *j = g_new0 (Job, 1);

  j->kind = kind;
  j->reader = reader_ref (r);
  j->epoch = epoch;
  j->prio = r->index;
  return j;
}

static void
job_done (Job *j)
{
  g_atomic_int_dec_and_test (&j->reader->inflight);
  reader_unref (j->reader);
  g_free (j);
}

static void
fail_load (Reader *r, LmReadResult *res, char *error, gboolean transient)
{
  res->error = error;
  res->transient = transient;
  g_atomic_int_set (&r->transient, transient);
  g_atomic_int_set (&r->failed, 1);
}

static void
run_load (LmWatcher *w, Job *j)
{
  Reader *r = j->reader;
  LmReadResult *res = lm_read_result_new (r->name, j->epoch);
  char *error = NULL;
  gboolean transient = FALSE;
  gint64 hi = 0, first, stamp, chunk;
  const char *status;

  res->is_head = TRUE;
  res->lo = res->hi = res->load_hi = r->last_id;
  stamp = lm_scan_stamp (r->path);
  if (r->scan_error != NULL)
    {
      /* Once the folder is readable the walk lists what is in it. */
      fail_load (r, res, g_strdup (r->scan_error), FALSE);
      r->stamp = stamp;
      goto out;
    }

  if (r->db == NULL)
    {
      r->inode = lm_scan_inode (r->path);
      r->db = lm_reader_open (r->path, &error, &transient);
      if (r->db == NULL)
        {
          fail_load (r, res, error, transient);
          r->stamp = stamp;
          goto out;
        }
      if (!lm_reader_data_version (r->db, &r->data_version, &error))
        goto fail;
      r->have_version = TRUE;
    }

  /* One read transaction for a consistent view of tags and rows. */
  if (sqlite3_exec (r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      error = lm_reader_describe_error (r->db, sqlite3_errcode (r->db), "starting a read", &transient);
      goto fail;
    }
  if (!lm_reader_read_info (r->db, r->last_tag_id, res, &error)
      || !lm_reader_max_scalar_id (r->db, &hi, &error))
    {
      transient = res->transient;
      sqlite3_exec (r->db, "ROLLBACK", NULL, NULL, NULL);
      goto fail;
    }
  if (hi < r->last_id)
    {
      sqlite3_exec (r->db, "ROLLBACK", NULL, NULL, NULL);
      error = g_strdup ("run file was replaced or truncated; reloading it");
      transient = TRUE;
      goto fail;
    }
  /* Chunks: at least chunk_rows (so small updates are one job), about two
   * per worker for a big first load so every core has work (fewer, larger
   * ranges scale better than many small ones), and at most 512k rows so
   * the rows in flight (20 bytes each) stay around 10 MB per job. */
  /* A big first load starts with the summaries' overview of every row
   * (a few thousand rows for millions of points): the charts are complete
   * at once, and the rows that follow replace the overview when all are in. */
  if (r->last_id == 0 && hi >= (gint64) w->cfg.preview_rows
      && !lm_reader_read_summaries (r->db, hi, res, &res->preview, &error))
    {
      transient = res->transient;
      sqlite3_exec (r->db, "ROLLBACK", NULL, NULL, NULL);
      goto fail;
    }
  chunk = CLAMP ((hi - r->last_id) / (2 * (gint64) w->cfg.n_threads),
                 (gint64) w->cfg.chunk_rows, MAX ((gint64) w->cfg.chunk_rows, 524288));
  first = res->preview ? r->last_id : MIN (hi, r->last_id + chunk);
  if (first > r->last_id && !lm_reader_read_scalars (r->db, r->last_id, first, res, &error))
    {
      transient = res->transient;
      sqlite3_exec (r->db, "ROLLBACK", NULL, NULL, NULL);
      goto fail;
    }
  sqlite3_exec (r->db, "COMMIT", NULL, NULL, NULL);

  /* The rest of the range goes to the pool, one chunk per job. */
  for (gint64 lo = first; lo < hi; lo += chunk)
    {
      Job *rj = job_new (JOB_RANGE, r, j->epoch);

      rj->lo = lo;
      rj->hi = MIN (hi, lo + chunk);
      submit (w, rj);
    }

  res->hi = first;
  res->load_hi = hi;
  r->last_id = hi;
  for (guint i = 0; i < res->tags->len; i++)
    r->last_tag_id = MAX (r->last_tag_id, g_array_index (res->tags, LmTagRow, i).id);
  r->stamp = stamp;
  status = g_hash_table_lookup (res->run_kv, "status");
  /* An immutable connection (a run nobody writes) never sees new rows:
   * like a finished run's, it is closed and a new stamp reopens it. */
  r->keep_open = (status == NULL || strcmp (status, "running") == 0) && !lm_reader_is_immutable (r->db);
  if (!r->keep_open)
    close_db (r);
  goto out;

fail:
  close_db (r);
  r->stamp = stamp;
  fail_load (r, res, error, transient);

out:
  r->retry_at = g_get_monotonic_time () + G_USEC_PER_SEC;
  post_read (w, res);
}

static void
run_range (LmWatcher *w, Job *j)
{
  Reader *r = j->reader;
  LmReadResult *res = lm_read_result_new (r->name, j->epoch);
  char *error = NULL;
  gboolean transient = FALSE;
  sqlite3 *db;

  res->lo = j->lo;
  res->hi = j->hi;
  db = lm_reader_open (r->path, &error, &transient);
  if (db == NULL)
    fail_load (r, res, error, transient);
  else
    {
      if (!lm_reader_read_scalars (db, j->lo, j->hi, res, &error))
        fail_load (r, res, error, res->transient);
      sqlite3_close (db);
    }
  post_read (w, res);
}

static void
pool_func (gpointer data, gpointer user_data)
{
  Job *j = data;
  LmWatcher *w = user_data;

  if (!g_atomic_int_get (&w->stopping))
    {
      if (j->kind == JOB_LOAD)
        run_load (w, j);
      else
        run_range (w, j);
    }
  job_done (j);
}

static gint
compare_jobs (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Job *ja = a, *jb = b;

  if (ja->prio != jb->prio)
    return ja->prio < jb->prio ? -1 : 1;
  return ja->lo < jb->lo ? -1 : (ja->lo > jb->lo);
}

/* ----------------------------------------------------------- poll thread */

static void
submit_load (LmWatcher *w, Reader *r, gboolean reset)
{
  if (reset)
    {
      r->epoch++;
      r->last_id = 0;
      r->last_tag_id = 0;
      close_db (r);
    }
  g_atomic_int_set (&r->failed, 0);
  r->ever_loaded = TRUE;
  submit (w, job_new (JOB_LOAD, r, r->epoch));
}

static void
poll_reader (LmWatcher *w, Reader *r, gint64 now, gboolean reload)
{
  gint64 version;
  char *error = NULL;

  if (g_atomic_int_get (&r->inflight) > 0)
    return;
  if (!r->ever_loaded)
    {
      submit_load (w, r, TRUE);
      return;
    }
  if (r->db != NULL && r->scan_inode != 0 && r->scan_inode != r->inode)
    {
      /* Deleted and written anew under the same name: start over. */
      submit_load (w, r, TRUE);
      return;
    }
  if (g_atomic_int_get (&r->failed))
    {
      /* Transient trouble (locked, still being created) is retried every
       * second; a corrupt or foreign file only when it changes. */
      gboolean again = reload
                       || (g_atomic_int_get (&r->transient) && now >= r->retry_at)
                       || r->scan_stamp != r->stamp;

      if (again)
        submit_load (w, r, TRUE);
      return;
    }
  if (r->db == NULL)
    {
      if (reload || r->scan_stamp != r->stamp)
        submit_load (w, r, FALSE);
      return;
    }
  if (!lm_reader_data_version (r->db, &version, &error))
    {
      g_free (error);
      submit_load (w, r, FALSE);   /* the load reports the problem */
      return;
    }
  if (reload || !r->have_version || version != r->data_version)
    {
      r->data_version = version;
      r->have_version = TRUE;
      submit_load (w, r, FALSE);
    }
}

static void
do_scan (LmWatcher *w)
{
  char *error = NULL;
  const char *title = NULL;
  GPtrArray *entries = lm_scan_roots (w->roots, w->n_roots, &error, &title);
  gboolean changed = !w->scanned_once;
  LmWatchMsg *msg;

  if (entries == NULL)
    {
      if (g_strcmp0 (error, w->last_scan_error) != 0 || !w->scanned_once)
        {
          g_free (w->last_scan_error);
          w->last_scan_error = g_strdup (error);
          msg = g_new0 (LmWatchMsg, 1);
          msg->kind = LM_WATCH_MSG_SCAN;
          msg->error = error;
          msg->error_title = title;
          post (w, msg);
        }
      else
        g_free (error);
      w->scanned_once = TRUE;
      /* Runs stay as they are: a folder that vanished for a moment (an
       * NFS hiccup) must not wipe the window. */
      return;
    }
  if (w->last_scan_error != NULL)
    changed = TRUE;
  g_clear_pointer (&w->last_scan_error, g_free);

  /* Runs that disappeared. */
  for (guint i = 0; i < w->order->len;)
    {
      Reader *r = g_ptr_array_index (w->order, i);
      gboolean present = FALSE;

      for (guint k = 0; k < entries->len && !present; k++)
        present = strcmp (((LmScanEntry *) g_ptr_array_index (entries, k))->name, r->name) == 0;
      if (!present)
        {
          g_hash_table_remove (w->readers, r->name);
          g_ptr_array_remove_index (w->order, i);
          changed = TRUE;
        }
      else
        i++;
    }
  /* New runs and fresh stamps. */
  for (guint k = 0; k < entries->len; k++)
    {
      LmScanEntry *e = g_ptr_array_index (entries, k);
      Reader *r = g_hash_table_lookup (w->readers, e->name);

      if (r == NULL || strcmp (r->path, e->path) != 0 || g_strcmp0 (r->scan_error, e->error) != 0)
        {
          if (r != NULL)
            {
              g_ptr_array_remove (w->order, r);
              g_hash_table_remove (w->readers, e->name);
            }
          r = g_new0 (Reader, 1);
          r->ref = 1;
          r->name = g_strdup (e->name);
          r->path = g_strdup (e->path);
          r->scan_error = g_strdup (e->error);
          g_hash_table_insert (w->readers, r->name, r);
          g_ptr_array_add (w->order, r);
          changed = TRUE;
        }
      r->scan_stamp = e->stamp;
      r->scan_inode = e->inode;
    }
  /* Sorted order (entries are sorted) gives job priorities. */
  for (guint k = 0; k < entries->len; k++)
    {
      LmScanEntry *e = g_ptr_array_index (entries, k);
      Reader *r = g_hash_table_lookup (w->readers, e->name);

      r->index = k;
      g_ptr_array_index (w->order, k) = r;
    }

  w->scanned_once = TRUE;
  if (changed)
    {
      msg = g_new0 (LmWatchMsg, 1);
      msg->kind = LM_WATCH_MSG_SCAN;
      msg->entries = entries;
      post (w, msg);
    }
  else
    g_ptr_array_unref (entries);
}

static gpointer
poll_main (gpointer data)
{
  LmWatcher *w = data;
  gint64 next_scan = 0;

  for (;;)
    {
      gboolean reload;
      gint64 now, deadline;

      g_mutex_lock (&w->lock);
      if (w->stop)
        {
          g_mutex_unlock (&w->lock);
          break;
        }
      reload = w->reload;
      w->reload = FALSE;
      g_mutex_unlock (&w->lock);

      now = g_get_monotonic_time ();
      if (reload || now >= next_scan)
        {
          do_scan (w);
          next_scan = now + (gint64) w->cfg.scan_ms * 1000;
        }
      for (guint i = 0; i < w->order->len; i++)
        poll_reader (w, g_ptr_array_index (w->order, i), now, reload);

      g_mutex_lock (&w->lock);
      deadline = g_get_monotonic_time () + (gint64) w->cfg.poll_ms * 1000;
      while (!w->stop && !w->reload)
        if (!g_cond_wait_until (&w->cond, &w->lock, deadline))
          break;
      g_mutex_unlock (&w->lock);
    }
  return NULL;
}

/* ---------------------------------------------------------------- public */

LmWatcher *
lm_watcher_new (const char *const     *names,
                const char *const     *paths,
                const LmWatcherConfig *config,
                GMainContext          *context,
                LmWatchFunc            func,
                gpointer               user_data)
{
  LmWatcher *w = g_new0 (LmWatcher, 1);
  guint cores = g_get_num_processors ();

  w->n_roots = g_strv_length ((char **) paths);
  w->roots = g_new0 (LmScanRoot, w->n_roots);
  for (guint i = 0; i < w->n_roots; i++)
    {
      w->roots[i].name = names != NULL && names[i][0] != '\0' ? g_strdup (names[i]) : NULL;
      w->roots[i].path = g_strdup (paths[i]);
    }
  if (config)
    w->cfg = *config;
  if (w->cfg.poll_ms == 0)
    w->cfg.poll_ms = 250;
  if (w->cfg.scan_ms == 0)
    w->cfg.scan_ms = 1000;
  if (w->cfg.chunk_rows == 0)
    w->cfg.chunk_rows = 131072;
  if (w->cfg.n_threads == 0)
    w->cfg.n_threads = CLAMP (cores, 2, 6);
  if (w->cfg.preview_rows == 0)
    w->cfg.preview_rows = 262144;
  w->context = g_main_context_ref (context ? context : g_main_context_default ());
  w->func = func;
  w->user_data = user_data;
  w->results = g_async_queue_new ();
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->readers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) reader_unref);
  w->order = g_ptr_array_new ();
  return w;
}

void
lm_watcher_start (LmWatcher *w)
{
  ResultSource *rs;

  g_return_if_fail (w->thread == NULL);
  rs = (ResultSource *) g_source_new (&result_source_funcs, sizeof (ResultSource));
  rs->watcher = w;
  w->source = (GSource *) rs;
  /* Above GTK's redraw priority: each dispatch is a slice of a few ms, so
   * frames still get drawn, but a window busy redrawing (an animation on a
   * slow software renderer) cannot starve the data. */
  g_source_set_priority (w->source, G_PRIORITY_HIGH_IDLE + 10);
  g_source_set_name (w->source, "lumen run results");
  g_source_attach (w->source, w->context);

  w->pool = g_thread_pool_new (pool_func, w, (gint) w->cfg.n_threads, FALSE, NULL);
  g_thread_pool_set_sort_function (w->pool, compare_jobs, NULL);
  w->thread = g_thread_new ("lumen-poll", poll_main, w);
}

void
lm_watcher_reload (LmWatcher *w)
{
  g_mutex_lock (&w->lock);
  w->reload = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
}

void
lm_watcher_free (LmWatcher *w)
{
  LmWatchMsg *msg;

  if (w == NULL)
    return;
  if (w->thread != NULL)
    {
      g_mutex_lock (&w->lock);
      w->stop = TRUE;
      g_cond_signal (&w->cond);
      g_mutex_unlock (&w->lock);
      g_thread_join (w->thread);
    }
  g_atomic_int_set (&w->stopping, 1);
  if (w->pool != NULL)
    g_thread_pool_free (w->pool, FALSE, TRUE);   /* queued jobs bail out at once */
  if (w->source != NULL)
    {
      g_source_destroy (w->source);
      g_source_unref (w->source);
    }
  while ((msg = g_async_queue_try_pop (w->results)) != NULL)
    msg_free (msg);
  g_async_queue_unref (w->results);
  g_hash_table_unref (w->readers);
  g_ptr_array_unref (w->order);
  g_main_context_unref (w->context);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->last_scan_error);
  for (guint i = 0; i < w->n_roots; i++)
    {
      g_free (w->roots[i].name);
      g_free (w->roots[i].path);
    }
  g_free (w->roots);
  g_free (w);
}
