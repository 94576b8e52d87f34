/* lm-run.c: one run's state and series on the main thread (see lm-run.h). */
#include "lm-run-private.h"
#include "lm-natural.h"

#include <string.h>

/* How long a run's lock must stay free before its writer is taken to
 * have ended without closing the run (see lm_run_update_live). */
#define LM_RUN_CLOSE_SECONDS 2.0

struct _LmRun
{
  GObject parent_instance;

  char *name;
  char *path;
  guint ordinal;
  gboolean visible;

  LmRunStatus status;
  gboolean live;
  gboolean writer_gone;    /* 'running', but the writer's lock is free */
  int writer;              /* LmWriterState of the last probe */
  double probed_at;        /* when (unix seconds); 0: never */
  double free_since;       /* when a probe first found the lock free; 0: not free */
  double heartbeat;
  double start_time;
  char *error;
  gboolean loaded;
  guint64 n_points;

  GHashTable *info;        /* run table key -> value */
  GHashTable *by_name;     /* tag name -> LmSeries* (owned) */
  GHashTable *by_id;       /* gint64* tag id -> LmSeries* (borrowed) */
  GArray *tag_ids;         /* gint64 storage for by_id keys */
  GPtrArray *tag_names;    /* sorted, borrowed from the series */

  guint epoch;
  gint64 merged_id;        /* scalar rows merged: ids <= merged_id */
  gint64 load_target;      /* id the first load must reach; -1 unknown */
  GList *pending;          /* LmReadResult*, sorted by lo, waiting their turn */
  /* A first load that began with the summaries' overview: the series show
   * the overview while the rows go into shadow series, which take their
   * place once every row is in (so charts stay complete meanwhile). */
  gboolean previewing;
  GHashTable *shadow;      /* LmSeries* shown -> LmSeries* being loaded (owned) */
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_PATH,
  PROP_ORDINAL,
  PROP_VISIBLE,
  PROP_STATUS,
  PROP_LIVE,
  PROP_ERROR,
  PROP_LOADED,
  PROP_N_POINTS,
  N_PROPS
};

enum {
  DATA_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmRun, lm_run, G_TYPE_OBJECT)

static void
lm_run_finalize (GObject *object)
{
  LmRun *self = LM_RUN (object);

  g_free (self->name);
  g_free (self->path);
  g_free (self->error);
  g_hash_table_unref (self->info);
  g_hash_table_unref (self->shadow);
  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->tag_names);
  g_array_unref (self->tag_ids);
  g_list_free_full (self->pending, (GDestroyNotify) lm_read_result_free);
  G_OBJECT_CLASS (lm_run_parent_class)->finalize (object);
}

static void
lm_run_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LmRun *self = LM_RUN (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_ORDINAL:
      g_value_set_uint (value, self->ordinal);
      break;
    case PROP_VISIBLE:
      g_value_set_boolean (value, self->visible);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_N_POINTS:
      g_value_set_uint64 (value, self->n_points);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lm_run_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LmRun *self = LM_RUN (object);

  switch (prop_id)
    {
    case PROP_VISIBLE:
      lm_run_set_visible (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lm_run_class_init (LmRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = lm_run_finalize;
  object_class->get_property = lm_run_get_property;
  object_class->set_property = lm_run_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_ORDINAL] = g_param_spec_uint ("ordinal", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_VISIBLE] =
    g_param_spec_boolean ("visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, LM_RUN_STATUS_STOPPED, 0, ro);
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_N_POINTS] = g_param_spec_uint64 ("n-points", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* New scalar rows were appended (or the run was reset). */
  signals[DATA_CHANGED] =
    g_signal_new ("data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_run_init (LmRun *self)
{
  self->visible = TRUE;
  self->load_target = -1;
  self->info = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) lm_series_free);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->shadow = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) lm_series_free);
  self->tag_names = g_ptr_array_new ();
  self->tag_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

LmRun *
lm_run_new (const char *name, const char *path, guint ordinal)
{
  LmRun *self = g_object_new (LM_TYPE_RUN, NULL);

  self->name = g_strdup (name);
  self->path = g_strdup (path);
  self->ordinal = ordinal;
  return self;
}

const char *
lm_run_get_name (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return self->name;
}

const char *
lm_run_get_path (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return self->path;
}

guint
lm_run_get_ordinal (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), 0);
  return self->ordinal;
}

LmRunStatus
lm_run_get_status (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), LM_RUN_STATUS_UNKNOWN);
  return self->status;
}

const char *
lm_run_status_to_string (LmRunStatus status)
{
  switch (status)
    {
    case LM_RUN_STATUS_RUNNING:
      return "running";
    case LM_RUN_STATUS_FINISHED:
      return "finished";
    case LM_RUN_STATUS_FAILED:
      return "failed";
    case LM_RUN_STATUS_STOPPED:
      return "stopped";
    case LM_RUN_STATUS_UNKNOWN:
    default:
      return "unknown";
    }
}

gboolean
lm_run_get_live (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), FALSE);
  return self->live;
}

const char *
lm_run_get_error (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return self->error;
}

gboolean
lm_run_get_loaded (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), FALSE);
  return self->loaded;
}

guint64
lm_run_get_n_points (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), 0);
  return self->n_points;
}

double
lm_run_get_start_time (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), 0);
  return self->start_time;
}

double
lm_run_get_heartbeat (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), 0);
  return self->heartbeat;
}

const char *
lm_run_get_info (LmRun *self, const char *key)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return g_hash_table_lookup (self->info, key);
}

gboolean
lm_run_get_visible (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), FALSE);
  return self->visible;
}

void
lm_run_set_visible (LmRun *self, gboolean visible)
{
  g_return_if_fail (LM_IS_RUN (self));
  visible = !!visible;
  if (self->visible == visible)
    return;
  self->visible = visible;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}

LmSeries *
lm_run_get_series (LmRun *self, const char *tag)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return g_hash_table_lookup (self->by_name, tag);
}

GPtrArray *
lm_run_get_scalar_tags (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), NULL);
  return self->tag_names;
}

/* ------------------------------------------------------------ merging */

static void
set_error (LmRun *self, const char *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_loaded (LmRun *self)
{
  GHashTableIter it;
  gpointer v;

  if (self->loaded)
    return;
  self->loaded = TRUE;
  g_hash_table_iter_init (&it, self->by_name);
  while (g_hash_table_iter_next (&it, NULL, &v))
    lm_series_trim (v);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static LmRunStatus
parse_status (const char *s)
{
  if (s == NULL)
    return LM_RUN_STATUS_UNKNOWN;
  if (strcmp (s, "running") == 0)
    return LM_RUN_STATUS_RUNNING;
  if (strcmp (s, "finished") == 0)
    return LM_RUN_STATUS_FINISHED;
  if (strcmp (s, "failed") == 0)
    return LM_RUN_STATUS_FAILED;
  if (strcmp (s, "stopped") == 0)
    return LM_RUN_STATUS_STOPPED;
  return LM_RUN_STATUS_UNKNOWN;
}

void
lm_run_update_live (LmRun *self, double now)
{
  gboolean running = self->status == LM_RUN_STATUS_RUNNING && self->error == NULL;
  LmWriterState writer;
  gboolean live, gone;

  /* every merge of new rows comes through here too: the lock file is
   * looked at once a second at most */
  if (running && now - self->probed_at >= 1.0)
    {
      self->writer = lm_reader_probe_writer (self->path);
      self->probed_at = now;
      if (self->writer != LM_WRITER_GONE)
        self->free_since = 0;
      else if (self->free_since == 0)
        self->free_since = now;
    }
  writer = running ? (LmWriterState) self->writer : LM_WRITER_UNKNOWN;
  /* A writer closing its run commits 'finished', then lets go of the
   * lock: a lock just found free may be that close, its last commit not
   * read yet (the run list flashed 'crashed' at the end of every run).
   * The writer ended without closing once the lock has stayed free for
   * LM_RUN_CLOSE_SECONDS (the reader takes in a commit within a second),
   * or at once when the run's last heartbeat is older than a close could
   * be (an idle writer refreshes it every 5 s). */
  if (writer == LM_WRITER_GONE && now - self->free_since < LM_RUN_CLOSE_SECONDS
      && self->heartbeat > 0 && now - self->heartbeat < 10.0)
    writer = LM_WRITER_ALIVE;
  gone = writer == LM_WRITER_GONE;

  if (writer == LM_WRITER_UNKNOWN)
    live = running && (self->heartbeat <= 0 || now - self->heartbeat < LM_RUN_STALE_SECONDS);
  else
    live = writer == LM_WRITER_ALIVE;
  if (gone != self->writer_gone)
    {
      self->writer_gone = gone;
      if (live == self->live)   /* the run list reads both on "live" */
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
    }
  if (live == self->live)
    return;
  self->live = live;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

gboolean
lm_run_get_writer_gone (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), FALSE);
  return self->writer_gone;
}

static void
reset_data (LmRun *self)
{
  g_hash_table_remove_all (self->shadow);
  self->previewing = FALSE;
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->tag_names, 0);
  g_hash_table_remove_all (self->by_name);
  g_list_free_full (self->pending, (GDestroyNotify) lm_read_result_free);
  self->pending = NULL;
  self->merged_id = 0;
  self->load_target = -1;
  if (self->n_points != 0)
    {
      self->n_points = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
    }
}

static gboolean
apply_info (LmRun *self, LmReadResult *r)
{
  GHashTableIter it;
  gpointer k, v;
  LmRunStatus status;
  gboolean tags_changed = FALSE;

  g_hash_table_iter_init (&it, r->run_kv);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_replace (self->info, g_strdup (k), g_strdup (v));

  status = parse_status (g_hash_table_lookup (self->info, "status"));
  if (g_hash_table_contains (self->info, "heartbeat"))
    self->heartbeat = g_ascii_strtod (g_hash_table_lookup (self->info, "heartbeat"), NULL);
  if (g_hash_table_contains (self->info, "start_time"))
    self->start_time = g_ascii_strtod (g_hash_table_lookup (self->info, "start_time"), NULL);
  if (status != self->status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  for (guint i = 0; i < r->tags->len; i++)
    {
      LmTagRow *t = &g_array_index (r->tags, LmTagRow, i);
      LmSeries *s;

      if (strcmp (t->kind, "scalar") != 0)
        continue;
      s = g_hash_table_lookup (self->by_name, t->name);
      if (s == NULL)
        {
          s = lm_series_new (t->name);
          g_hash_table_insert (self->by_name, s->tag, s);
          g_ptr_array_add (self->tag_names, s->tag);
          tags_changed = TRUE;
        }
      g_hash_table_insert (self->by_id, g_memdup2 (&t->id, sizeof t->id), s);
    }
  if (tags_changed)
    g_ptr_array_sort (self->tag_names, lm_natural_compare_ptrs);
  return tags_changed;
}

/* Appends a result's points to the run's series, or to the shadow series
 * behind them (`behind`) while the summaries' overview is shown. */
static gsize
merge_rows (LmRun *self, LmReadResult *r, gboolean behind)
{
  GHashTableIter it;
  gpointer v;
  gsize n = 0;

  g_hash_table_iter_init (&it, r->series);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      LmChunkSeries *cs = v;
      LmSeries *s = g_hash_table_lookup (self->by_id, &cs->tag_id);

      if (s == NULL)
        continue;   /* rows of a histogram/image tag id, or a dangling id */
      if (behind)
        {
          LmSeries *shadow = g_hash_table_lookup (self->shadow, s);

          if (shadow == NULL)
            {
              shadow = lm_series_new (s->tag);
              g_hash_table_insert (self->shadow, s, shadow);
            }
          s = shadow;
        }
      lm_series_append (s, cs->n, cs->steps, cs->values, cs->walls);
      n += cs->n;
    }
  return n;
}

/* Shows the summaries' overview that came with the head of a first load
 * (no rows: they follow in range results).  Returns the points shown. */
static gsize
apply_preview (LmRun *self, LmReadResult *r)
{
  gsize n = merge_rows (self, r, FALSE);

  g_hash_table_remove_all (r->series);
  self->previewing = TRUE;
  return n;
}

/* Every row is in: the loaded series replace the overview. */
static void
end_preview (LmRun *self)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, self->by_name);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      LmSeries *behind = g_hash_table_lookup (self->shadow, v);

      if (behind != NULL)
        lm_series_swap_data (v, behind);
      else
        lm_series_clear (v);
    }
  g_hash_table_remove_all (self->shadow);
  self->previewing = FALSE;
}

static gint
compare_lo (gconstpointer a, gconstpointer b)
{
  const LmReadResult *ra = a, *rb = b;

  return ra->lo < rb->lo ? -1 : (ra->lo > rb->lo);
}

gsize
lm_run_apply_result (LmRun *self, LmReadResult *r, gboolean *tags_changed)
{
  gsize merged = 0, shown = 0;

  *tags_changed = FALSE;
  if (r->epoch < self->epoch)
    {
      lm_read_result_free (r);   /* from an attempt that was superseded */
      return 0;
    }
  if (r->epoch > self->epoch)
    {
      /* A new epoch is a fresh load of the whole file. */
      gboolean had_tags = self->tag_names->len > 0;

      self->epoch = r->epoch;
      reset_data (self);
      *tags_changed = had_tags;
      if (had_tags)
        g_signal_emit (self, signals[DATA_CHANGED], 0);
    }

  if (r->error != NULL)
    set_error (self, r->error);
  else if (r->has_info)
    {
      set_error (self, NULL);
      if (apply_info (self, r))
        *tags_changed = TRUE;
    }
  if (r->is_head)
    {
      /* The head result of a load knows where the load ends. */
      gint64 target = r->error ? r->lo : r->load_hi;

      self->load_target = MAX (self->load_target, target);
      if (r->preview && r->error == NULL && !self->loaded)
        shown += apply_preview (self, r);
    }

  self->pending = g_list_insert_sorted (self->pending, r, compare_lo);
  while (self->pending != NULL)
    {
      LmReadResult *head = self->pending->data;

      if (head->lo > self->merged_id)
        break;
      self->pending = g_list_delete_link (self->pending, self->pending);
      if (head->error == NULL)
        merged += merge_rows (self, head, self->previewing);
      self->merged_id = MAX (self->merged_id, head->hi);
      lm_read_result_free (head);
    }

  if (merged > 0)
    {
      self->n_points += merged;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
    }
  if (!self->previewing)
    shown += merged;
  if (self->load_target >= 0 && self->merged_id >= self->load_target && self->previewing)
    {
      end_preview (self);
      shown += self->n_points;
    }
  if (shown > 0)
    g_signal_emit (self, signals[DATA_CHANGED], 0);
  if (self->load_target >= 0 && self->merged_id >= self->load_target)
    set_loaded (self);
  lm_run_update_live (self, g_get_real_time () / 1e6);
  return shown;
}

gboolean
lm_run_get_complete (LmRun *self)
{
  g_return_val_if_fail (LM_IS_RUN (self), FALSE);
  return self->loaded || self->previewing;
}
