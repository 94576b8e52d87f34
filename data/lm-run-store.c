/* lm-run-store.c: GListModel of the runs in a log directory (see header).
 *
 * The store is the main-thread half of the watcher: it turns directory
 * walks into items-changed (run by run, so list views keep their scroll
 * and selection), hands read results to their LmRun, and keeps the union
 * of scalar tags and the loading progress.  Signals:
 *   "tags-changed"            the union of scalar tags changed
 *   "run-data-changed" (run)  rows were merged into a run (or it reset)
 *   "run-file-read" (run)     the run's file was read after a change,
 *                             whatever it brought (a graph, a trace)
 */
#include "lm-run-store.h"
#include "lm-run-private.h"
#include "lm-scan-private.h"
#include "lm-watcher-private.h"
#include "lm-natural.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct _LmRunStore
{
  GObject parent_instance;

  char *logdir;             /* the folder, or the spec "name:path,..." */
  GStrv names, paths;       /* the roots: names "" for none */
  gboolean is_spec;
  GPtrArray *runs;          /* LmRun*, sorted by name */
  GHashTable *by_name;      /* name -> LmRun* (borrowed) */
  guint next_ordinal;
  LmWatcher *watcher;
  LmWatcherConfig config;
  guint live_timer;

  char *error;
  const char *error_title;  /* static; with error */
  gboolean scanned;         /* first walk done */
  gboolean loading;
  guint n_loaded;
  guint64 n_points;
  GPtrArray *tags;          /* sorted union, owned strings */
  gboolean tags_dirty;
};

enum {
  PROP_0,
  PROP_LOGDIR,
  PROP_LOADING,
  PROP_N_LOADED,
  PROP_N_POINTS,
  PROP_ERROR,
  N_PROPS
};

enum {
  TAGS_CHANGED,
  RUN_DATA_CHANGED,
  RUN_FILE_READ,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LmRunStore, lm_run_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return LM_TYPE_RUN;
}

static guint
get_n_items (GListModel *model)
{
  return LM_RUN_STORE (model)->runs->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  LmRunStore *self = LM_RUN_STORE (model);

  if (position >= self->runs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->runs, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
disconnect_run (LmRunStore *self, LmRun *run)
{
  g_signal_handlers_disconnect_by_data (run, self);
}

static void
lm_run_store_dispose (GObject *object)
{
  LmRunStore *self = LM_RUN_STORE (object);

  g_clear_pointer (&self->watcher, lm_watcher_free);
  g_clear_handle_id (&self->live_timer, g_source_remove);
  if (self->runs != NULL)
    {
      for (guint i = 0; i < self->runs->len; i++)
        disconnect_run (self, g_ptr_array_index (self->runs, i));
    }
  G_OBJECT_CLASS (lm_run_store_parent_class)->dispose (object);
}

static void
lm_run_store_finalize (GObject *object)
{
  LmRunStore *self = LM_RUN_STORE (object);

  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->runs);
  g_ptr_array_unref (self->tags);
  g_free (self->logdir);
  g_strfreev (self->names);
  g_strfreev (self->paths);
  g_free (self->error);
  G_OBJECT_CLASS (lm_run_store_parent_class)->finalize (object);
}

static void
lm_run_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LmRunStore *self = LM_RUN_STORE (object);

  switch (prop_id)
    {
    case PROP_LOGDIR:
      g_value_set_string (value, self->logdir);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_N_LOADED:
      g_value_set_uint (value, self->n_loaded);
      break;
    case PROP_N_POINTS:
      g_value_set_uint64 (value, self->n_points);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lm_run_store_class_init (LmRunStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = lm_run_store_dispose;
  object_class->finalize = lm_run_store_finalize;
  object_class->get_property = lm_run_store_get_property;

  properties[PROP_LOGDIR] = g_param_spec_string ("logdir", NULL, NULL, NULL, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, TRUE, ro);
  properties[PROP_N_LOADED] = g_param_spec_uint ("n-loaded", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_POINTS] = g_param_spec_uint64 ("n-points", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TAGS_CHANGED] =
    g_signal_new ("tags-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RUN_DATA_CHANGED] =
    g_signal_new ("run-data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LM_TYPE_RUN);
  signals[RUN_FILE_READ] =
    g_signal_new ("run-file-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LM_TYPE_RUN);
}

static void
lm_run_store_init (LmRunStore *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->tags = g_ptr_array_new_with_free_func (g_free);
  self->loading = TRUE;
}

LmRunStore *
lm_run_store_new (const char *logdir)
{
  LmRunStore *self;

  g_return_val_if_fail (logdir != NULL, NULL);
  self = g_object_new (LM_TYPE_RUN_STORE, NULL);
  self->logdir = g_strdup (logdir);
  self->names = g_new0 (char *, 2);
  self->names[0] = g_strdup ("");
  self->paths = g_new0 (char *, 2);
  self->paths[0] = g_strdup (logdir);
  return self;
}

/* An entry that is a URL (TensorBoard reads gs://, s3://...): scheme "://". */
static gboolean
is_url (const char *entry)
{
  const char *p = entry;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return g_str_has_prefix (p, "://");
}

gboolean
lm_logdir_spec_parse (const char *spec, GStrv *names_out, GStrv *paths_out, GError **error)
{
  g_auto (GStrv) entries = NULL;
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) paths = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (spec != NULL, FALSE);
  if (spec[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--logdir_spec is empty; give name:path,name:path (or paths)");
      return FALSE;
    }
  entries = g_strsplit (spec, ",", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *entry = entries[i], *colon = strchr (entry, ':');
      g_autofree char *name = NULL, *path = NULL;

      if (entry[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--logdir_spec: entry %u of '%s' is empty", i + 1, spec);
          return FALSE;
        }
      if (is_url (entry) || (colon != NULL && is_url (colon + 1)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "--logdir_spec: '%s' is a URL; lumen reads local folders", entry);
          return FALSE;
        }
      name = colon != NULL ? g_strndup (entry, (gsize) (colon - entry)) : g_strdup ("");
      path = g_strdup (colon != NULL ? colon + 1 : entry);
      if (path[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--logdir_spec: '%s' names no folder after the ':'", entry);
          return FALSE;
        }
      /* the shell leaves "name:~/runs" alone: expand it, as TensorBoard does */
      if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        {
          char *home = g_build_filename (g_get_home_dir (), path + 1, NULL);

          g_free (path);
          path = home;
        }
      if (name[0] != '\0' && !g_hash_table_add (seen, g_strdup (name)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--logdir_spec: the name '%s' is given twice; each log directory needs its own", name);
          return FALSE;
        }
      g_strv_builder_add (names, name);
      g_strv_builder_add (paths, path);
    }
  *names_out = g_strv_builder_end (names);
  *paths_out = g_strv_builder_end (paths);
  return TRUE;
}

LmRunStore *
lm_run_store_new_spec (const char *const *names, const char *const *paths)
{
  LmRunStore *self;
  GString *spec = g_string_new (NULL);

  g_return_val_if_fail (names != NULL && paths != NULL, NULL);
  g_return_val_if_fail (g_strv_length ((char **) names) == g_strv_length ((char **) paths), NULL);
  g_return_val_if_fail (paths[0] != NULL, NULL);
  self = g_object_new (LM_TYPE_RUN_STORE, NULL);
  for (guint i = 0; paths[i] != NULL; i++)
    g_string_append_printf (spec, "%s%s%s%s", i > 0 ? "," : "", names[i], names[i][0] ? ":" : "", paths[i]);
  self->logdir = g_string_free (spec, FALSE);
  self->names = g_strdupv ((char **) names);
  self->paths = g_strdupv ((char **) paths);
  self->is_spec = TRUE;
  return self;
}

void
lm_run_store_add_root (LmRunStore *self, const char *name, const char *path)
{
  guint n;

  g_return_if_fail (LM_IS_RUN_STORE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (self->watcher == NULL);
  n = g_strv_length (self->paths);
  self->names = g_renew (char *, self->names, n + 2);
  self->paths = g_renew (char *, self->paths, n + 2);
  self->names[n] = g_strdup (name != NULL ? name : "");
  self->paths[n] = g_strdup (path);
  self->names[n + 1] = self->paths[n + 1] = NULL;
}

void
lm_run_store_set_intervals (LmRunStore *self, guint poll_ms, guint scan_ms)
{
  g_return_if_fail (LM_IS_RUN_STORE (self));
  self->config.poll_ms = poll_ms;
  self->config.scan_ms = scan_ms;
}

void
lm_run_store_set_preview_rows (LmRunStore *self, guint rows)
{
  g_return_if_fail (LM_IS_RUN_STORE (self));
  self->config.preview_rows = rows;
}

gboolean
lm_run_store_get_complete (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), FALSE);
  if (!self->scanned)
    return FALSE;
  for (guint i = 0; i < self->runs->len; i++)
    if (!lm_run_get_complete (g_ptr_array_index (self->runs, i)))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------ progress */

static void
update_progress (LmRunStore *self)
{
  guint n_loaded = 0;
  gboolean loading;

  for (guint i = 0; i < self->runs->len; i++)
    if (lm_run_get_loaded (g_ptr_array_index (self->runs, i)))
      n_loaded++;
  loading = !self->scanned || n_loaded < self->runs->len;
  if (n_loaded != self->n_loaded)
    {
      self->n_loaded = n_loaded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LOADED]);
    }
  if (loading != self->loading)
    {
      self->loading = loading;
#ifdef __GLIBC__
      /* The first load passes its rows through short-lived buffers in the
       * worker threads' heaps; hand those pages back to the system. */
      if (!loading)
        malloc_trim (0);
#endif
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static void
rebuild_tags (LmRunStore *self)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new ();   /* borrowed from the runs */
  gboolean same;

  for (guint i = 0; i < self->runs->len; i++)
    {
      GPtrArray *tags = lm_run_get_scalar_tags (g_ptr_array_index (self->runs, i));

      for (guint k = 0; k < tags->len; k++)
        if (g_hash_table_add (seen, g_ptr_array_index (tags, k)))
          g_ptr_array_add (names, g_ptr_array_index (tags, k));
    }
  g_hash_table_unref (seen);
  g_ptr_array_sort (names, lm_natural_compare_ptrs);

  same = names->len == self->tags->len;
  for (guint i = 0; same && i < names->len; i++)
    same = strcmp (g_ptr_array_index (names, i), g_ptr_array_index (self->tags, i)) == 0;
  if (!same)
    {
      g_ptr_array_set_size (self->tags, 0);
      for (guint i = 0; i < names->len; i++)
        g_ptr_array_add (self->tags, g_strdup (g_ptr_array_index (names, i)));
    }
  g_ptr_array_unref (names);
  if (!same)
    g_signal_emit (self, signals[TAGS_CHANGED], 0);
}

/* ------------------------------------------------------- watcher results */

static void
apply_scan (LmRunStore *self, LmWatchMsg *msg)
{
  GPtrArray *entries = msg->entries;
  guint i = 0, k = 0;
  gboolean removed_any = FALSE;

  if (msg->error != NULL)
    {
      if (g_strcmp0 (self->error, msg->error) != 0)
        {
          g_free (self->error);
          self->error = g_strdup (msg->error);
          self->error_title = msg->error_title;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
        }
      self->scanned = TRUE;
      update_progress (self);
      return;
    }
  if (self->error != NULL)
    {
      g_clear_pointer (&self->error, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  /* First walk (or everything new): one items-changed for all of it, so
   * 200 runs do not mean 200 rounds of updates in every view. */
  if (self->runs->len == 0 && entries->len > 0)
    {
      for (k = 0; k < entries->len; k++)
        {
          LmScanEntry *e = g_ptr_array_index (entries, k);
          LmRun *nr = lm_run_new (e->name, e->path, self->next_ordinal++);

          g_ptr_array_add (self->runs, nr);
          g_hash_table_insert (self->by_name, (gpointer) lm_run_get_name (nr), nr);
        }
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, entries->len);
      self->scanned = TRUE;
      update_progress (self);
      return;
    }

  /* Merge walk of two sorted lists: one items-changed per change. */
  while (i < self->runs->len || k < entries->len)
    {
      LmRun *run = i < self->runs->len ? g_ptr_array_index (self->runs, i) : NULL;
      LmScanEntry *e = k < entries->len ? g_ptr_array_index (entries, k) : NULL;
      int cmp = run == NULL ? 1 : e == NULL ? -1 : lm_natural_compare (lm_run_get_name (run), e->name);

      if (cmp == 0 && strcmp (lm_run_get_path (run), e->path) == 0)
        {
          i++, k++;
        }
      else if (cmp < 0 || cmp == 0)
        {
          /* Gone (or replaced by a file at another path: removed, then
           * added back below). */
          self->n_points -= lm_run_get_n_points (run);
          g_hash_table_remove (self->by_name, lm_run_get_name (run));
          disconnect_run (self, run);
          g_ptr_array_remove_index (self->runs, i);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
          removed_any = TRUE;
        }
      else
        {
          LmRun *nr = lm_run_new (e->name, e->path, self->next_ordinal++);

          g_ptr_array_insert (self->runs, (gint) i, nr);
          g_hash_table_insert (self->by_name, (gpointer) lm_run_get_name (nr), nr);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 0, 1);
          i++, k++;
        }
    }
  self->scanned = TRUE;
  if (removed_any)
    {
      rebuild_tags (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
    }
  update_progress (self);
}

static void
apply_read (LmRunStore *self, LmWatchMsg *msg)
{
  LmRun *run = g_hash_table_lookup (self->by_name, msg->read->run_name);
  guint64 before;
  gboolean tags_changed = FALSE, was_loaded, head;
  gsize merged;

  if (run == NULL)
    return;   /* the run vanished while its read was in flight */
  before = lm_run_get_n_points (run);
  was_loaded = lm_run_get_loaded (run);
  head = msg->read->is_head;
  merged = lm_run_apply_result (run, g_steal_pointer (&msg->read), &tags_changed);

  self->n_points = self->n_points - before + lm_run_get_n_points (run);
  if (before != lm_run_get_n_points (run))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  if (tags_changed)
    rebuild_tags (self);
  if (merged > 0 || tags_changed)
    g_signal_emit (self, signals[RUN_DATA_CHANGED], 0, run);
  if (head)
    g_signal_emit (self, signals[RUN_FILE_READ], 0, run);
  if (!was_loaded && lm_run_get_loaded (run))
    update_progress (self);
}

static void
on_watch_msg (LmWatchMsg *msg, gpointer user_data)
{
  LmRunStore *self = user_data;

  if (msg->kind == LM_WATCH_MSG_SCAN)
    apply_scan (self, msg);
  else
    apply_read (self, msg);
}

static gboolean
on_live_timer (gpointer user_data)
{
  LmRunStore *self = user_data;
  double now = g_get_real_time () / 1e6;

  for (guint i = 0; i < self->runs->len; i++)
    lm_run_update_live (g_ptr_array_index (self->runs, i), now);
  return G_SOURCE_CONTINUE;
}

void
lm_run_store_start (LmRunStore *self)
{
  g_return_if_fail (LM_IS_RUN_STORE (self));
  g_return_if_fail (self->watcher == NULL);

  self->watcher = lm_watcher_new ((const char *const *) self->names, (const char *const *) self->paths,
                                  &self->config, NULL, on_watch_msg, self);
  lm_watcher_start (self->watcher);
  self->live_timer = g_timeout_add_seconds (2, on_live_timer, self);
}

void
lm_run_store_reload (LmRunStore *self)
{
  g_return_if_fail (LM_IS_RUN_STORE (self));
  if (self->watcher != NULL)
    lm_watcher_reload (self->watcher);
}

const char *
lm_run_store_get_logdir (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  return self->logdir;
}

gboolean
lm_run_store_is_spec (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), FALSE);
  return self->is_spec;
}

const char *const *
lm_run_store_get_paths (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  return (const char *const *) self->paths;
}

LmRun *
lm_run_store_find (LmRunStore *self, const char *name)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  return g_hash_table_lookup (self->by_name, name);
}

const char *
lm_run_store_get_experiment (LmRunStore *self, LmRun *run)
{
  const char *name, *best = "";

  g_return_val_if_fail (LM_IS_RUN_STORE (self), "");
  g_return_val_if_fail (LM_IS_RUN (run), "");
  name = lm_run_get_name (run);
  /* the longest entry name that is the run's first folders: "a/b" before
   * "a" when both are entries */
  for (guint i = 0; self->names[i] != NULL; i++)
    {
      const char *entry = self->names[i];
      size_t len = strlen (entry);

      if (len > strlen (best) && strncmp (name, entry, len) == 0 && (name[len] == '\0' || name[len] == '/'))
        best = entry;
    }
  return best;
}

GPtrArray *
lm_run_store_get_scalar_tags (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  return self->tags;
}

gboolean
lm_run_store_get_loading (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), FALSE);
  return self->loading;
}

guint
lm_run_store_get_n_loaded (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), 0);
  return self->n_loaded;
}

guint64
lm_run_store_get_n_points (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), 0);
  return self->n_points;
}

const char *
lm_run_store_get_error (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  return self->error;
}

const char *
lm_run_store_get_error_title (LmRunStore *self)
{
  g_return_val_if_fail (LM_IS_RUN_STORE (self), NULL);
  if (self->error == NULL)
    return NULL;
  return self->error_title ? self->error_title : "Log directory cannot be read";
}
