/* lm-run-selection.c: filter + toggles -> shown runs (see header).
 * Signals: "changed" (the shown set or order changed),
 * "run-data-changed" (LmRun*, relayed from the store). */
#include "lm-run-selection.h"

struct _LmRunSelection
{
  GObject parent_instance;
  LmRunStore *store;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;
  GRegex *regex;
  char *pattern;
  GPtrArray *shown;
  gboolean shown_dirty;
  char *highlighted;   /* run name picked in the hparams view, or NULL */
};

enum {
  CHANGED,
  RUN_DATA_CHANGED,
  HIGHLIGHT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmRunSelection, lm_run_selection, G_TYPE_OBJECT)

static void
lm_run_selection_dispose (GObject *object)
{
  LmRunSelection *self = LM_RUN_SELECTION (object);

  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->filtered);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_run_selection_parent_class)->dispose (object);
}

static void
lm_run_selection_finalize (GObject *object)
{
  LmRunSelection *self = LM_RUN_SELECTION (object);

  g_clear_pointer (&self->regex, g_regex_unref);
  g_free (self->pattern);
  g_free (self->highlighted);
  g_ptr_array_unref (self->shown);
  G_OBJECT_CLASS (lm_run_selection_parent_class)->finalize (object);
}

static void
lm_run_selection_class_init (LmRunSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lm_run_selection_dispose;
  object_class->finalize = lm_run_selection_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RUN_DATA_CHANGED] =
    g_signal_new ("run-data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LM_TYPE_RUN);
  signals[HIGHLIGHT_CHANGED] =
    g_signal_new ("highlight-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_run_selection_init (LmRunSelection *self)
{
  self->shown = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown_dirty = TRUE;
  self->pattern = g_strdup ("");
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  LmRunSelection *self = user_data;

  return self->regex == NULL || g_regex_match (self->regex, lm_run_get_name (item), 0, NULL);
}

static void
emit_changed (LmRunSelection *self)
{
  self->shown_dirty = TRUE;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_run_visible (LmRun *run, GParamSpec *pspec, LmRunSelection *self)
{
  emit_changed (self);
}

static void
on_filtered_changed (GListModel *model, guint pos, guint removed, guint added, LmRunSelection *self)
{
  emit_changed (self);
}

static void
on_store_changed (GListModel *model, guint pos, guint removed, guint added, LmRunSelection *self)
{
  for (guint i = pos; i < pos + added; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (model, i);

      g_signal_connect_object (run, "notify::visible", G_CALLBACK (on_run_visible), self, 0);
    }
}

static void
on_run_data_changed (LmRunStore *store, LmRun *run, LmRunSelection *self)
{
  g_signal_emit (self, signals[RUN_DATA_CHANGED], 0, run);
}

LmRunSelection *
lm_run_selection_new (LmRunStore *store)
{
  LmRunSelection *self = g_object_new (LM_TYPE_RUN_SELECTION, NULL);

  self->store = g_object_ref (store);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (store)),
                                              GTK_FILTER (self->filter));
  g_signal_connect (self->filtered, "items-changed", G_CALLBACK (on_filtered_changed), self);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_store_changed), self);
  g_signal_connect (store, "run-data-changed", G_CALLBACK (on_run_data_changed), self);
  on_store_changed (G_LIST_MODEL (store), 0, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), self);
  return self;
}

LmRunStore *
lm_run_selection_get_store (LmRunSelection *self)
{
  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), NULL);
  return self->store;
}

GListModel *
lm_run_selection_get_model (LmRunSelection *self)
{
  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

gboolean
lm_run_selection_set_filter (LmRunSelection *self, const char *pattern, GError **error)
{
  GRegex *regex = NULL;

  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), FALSE);
  if (pattern == NULL)
    pattern = "";
  if (pattern[0] != '\0')
    {
      regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
      if (regex == NULL)
        return FALSE;
    }
  if (g_strcmp0 (pattern, self->pattern) == 0)
    {
      g_clear_pointer (&regex, g_regex_unref);
      return TRUE;
    }
  g_clear_pointer (&self->regex, g_regex_unref);
  self->regex = regex;
  g_free (self->pattern);
  self->pattern = g_strdup (pattern);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return TRUE;
}

const char *
lm_run_selection_get_filter (LmRunSelection *self)
{
  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), NULL);
  return self->pattern;
}

GPtrArray *
lm_run_selection_get_shown (LmRunSelection *self)
{
  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), NULL);
  if (self->shown_dirty)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

      g_ptr_array_set_size (self->shown, 0);
      for (guint i = 0; i < n; i++)
        {
          LmRun *run = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

          if (lm_run_get_visible (run))
            g_ptr_array_add (self->shown, run);
          else
            g_object_unref (run);
        }
      self->shown_dirty = FALSE;
    }
  return self->shown;
}

void
lm_run_selection_set_all_visible (LmRunSelection *self, gboolean visible)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      lm_run_set_visible (run, visible);
    }
}

/* The run the user picked in the hparams view: charts draw it on top and
 * the others faded.  NULL clears it.  Emits "highlight-changed". */
void
lm_run_selection_set_highlighted (LmRunSelection *self, const char *run_name)
{
  g_return_if_fail (LM_IS_RUN_SELECTION (self));
  if (g_strcmp0 (self->highlighted, run_name) == 0)
    return;
  g_free (self->highlighted);
  self->highlighted = g_strdup (run_name);
  g_signal_emit (self, signals[HIGHLIGHT_CHANGED], 0);
}

const char *
lm_run_selection_get_highlighted (LmRunSelection *self)
{
  g_return_val_if_fail (LM_IS_RUN_SELECTION (self), NULL);
  return self->highlighted;
}

void
lm_run_selection_colors_changed (LmRunSelection *self)
{
  g_return_if_fail (LM_IS_RUN_SELECTION (self));
  emit_changed (self);
}
