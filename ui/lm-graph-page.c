/* lm-graph-page.c: the Graph view (see lm-graph-page.h).
 *
 * Loading runs in a GTask: the graph, the list of its traces and one
 * trace's events (statistics only; values are for the debugger). When no
 * run was chosen, the worker walks the runs in name order and shows the
 * first one that has a graph (with --step, the first traced at that step),
 * so `lumen --logdir runs --view graph` shows something without a click. A
 * run with several graphs (the model's and an imported torch.profiler
 * trace's) opens on the one lm_graph_data_choose names; the "Graph" drop-down
 * (TensorBoard's "Tag" choice) switches. A generation counter drops stale
 * results.
 *
 * Live: each time the store reads the shown run's file again (a commit of
 * lumen-train, a torch.profiler trace that --follow imported), a GTask
 * lists its graphs and the shown graph's traces; the Graph and trace
 * drop-downs gain what is new and keep the user's choice selected, as
 * TensorBoard's Tag list does.  Only a page with no trace shown opens the
 * newest one that arrives; with no graph shown, the runs are looked
 * through again.
 */
#include "lm-graph-page.h"

#include "lm-debugger-pane.h"
#include "lm-graph-data.h"
#include "lm-icon-tip.h"
#include "lm-profile-pane.h"
#include "lm-run.h"

struct _LmGraphPage
{
  GtkBox parent_instance;

  LmRunStore *store;
  GtkWidget *run_drop, *graph_drop, *trace_drop, *search, *view, *details, *status;
  GtkWidget *side, *debugger;  /* side: a stack of "node" (details), "debugger" and "profile" */
  GtkWidget *profile, *color_drop;
  GtkWidget *bp_toggle;        /* breakpoint on the selected node */
  gboolean syncing;
  GtkStringList *run_names, *graph_names, *trace_names;
  char *run_name;              /* the shown run, NULL until one is found */
  char *path;
  GArray *graphs;              /* LmGraphInfo of the shown run */
  GArray *traces;              /* LmTraceInfo of the shown graph */
  gint64 want_graph;           /* the drop-down's choice for the next load, -1: choose */
  guint generation;
  gboolean loading, settled, updating;
  gint64 want_step;            /* lm_graph_page_set_target: -1 none */
  gint64 want_op;              /* 1-based execution index, -1 none */
  gboolean want_timed;         /* choose the last profiled trace */
  gboolean refreshing;         /* a list_job is under way */
  gboolean refresh_again;      /* the file changed again meanwhile */
  gboolean list_after_load;    /* the file changed while a load ran */
};

G_DEFINE_FINAL_TYPE (LmGraphPage, lm_graph_page, GTK_TYPE_BOX)

typedef struct
{
  guint generation;
  GPtrArray *names, *paths;    /* candidates, tried in order */
  gint64 trace_id;             /* -1: choose (first anomalous, else last) */
  gint64 graph_id;             /* -1: lm_graph_data_choose */
  gboolean trace_only;         /* keep the graph, load this trace */
  gint64 want_step;            /* >= 0: the trace of this step, if any */
  gboolean want_timed;         /* by default the last trace with op times */
  /* results */
  int chosen;
  LmGraphData *graph;
  GArray *graphs;              /* the chosen run's */
  GArray *traces;
  LmTraceData *trace;
  char *error;
  char *trace_error;           /* the traces could not be read (a damaged file) */
} LoadJob;

static void
load_job_free (gpointer p)
{
  LoadJob *job = p;

  g_ptr_array_unref (job->names);
  g_ptr_array_unref (job->paths);
  lm_graph_data_free (job->graph);
  if (job->graphs)
    g_array_unref (job->graphs);
  if (job->traces)
    g_array_unref (job->traces);
  lm_trace_data_free (job->trace);
  g_free (job->error);
  g_free (job->trace_error);
  g_free (job);
}

/* Whether the run at path has a trace of `step` for graph graph_id. */
static gboolean
has_trace_at (const char *path, gint64 graph_id, gint64 step)
{
  g_autofree char *why = NULL;
  GArray *traces = lm_trace_data_list (path, graph_id, &why);
  gboolean found = FALSE;

  for (guint k = 0; traces != NULL && k < traces->len && !found; k++)
    found = g_array_index (traces, LmTraceInfo, k).step == step;
  if (traces != NULL)
    g_array_unref (traces);
  return found;
}

/* The graph of the run at path that job asks for (its graph_id, else the
 * one lm_graph_data_choose names), and the run's graphs in *graphs. */
static LmGraphData *
load_graph (LoadJob *job, const char *path, GArray **graphs, char **error)
{
  gint64 id = job->graph_id;
  g_autofree char *why = NULL;

  /* a run whose graphs cannot be listed opens its newest, as before */
  *graphs = lm_graph_data_infos (path, &why);
  if (id < 0 && *graphs != NULL)
    {
      g_autofree char *why_traces = NULL;
      GArray *traces = job->want_step >= 0 ? lm_trace_data_list (path, -1, &why_traces) : NULL;

      id = lm_graph_data_choose (*graphs, traces, job->want_step, job->want_timed);
      if (traces != NULL)
        g_array_unref (traces);
    }
  return lm_graph_data_load (path, id, error);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LoadJob *job = data;
  gint64 trace_id = job->trace_id;
  LmGraphData *fallback = NULL;
  GArray *fallback_graphs = NULL;
  int fallback_i = -1;

  /* With a target step (--step, lumen-train's "step through it" hint) the
   * first run traced at that step, else the first run with a graph: in a
   * log directory of several runs the hint opened the first run's graph
   * at another step. */
  job->chosen = -1;
  for (guint i = 0; i < job->paths->len && job->chosen < 0; i++)
    {
      char *error = NULL;
      LmGraphData *graph;
      GArray *graphs = NULL;

      if (job->trace_only)
        {
          job->chosen = (int) i;
          break;
        }
      graph = load_graph (job, g_ptr_array_index (job->paths, i), &graphs, &error);
      if (graph != NULL && (job->want_step < 0 || job->paths->len == 1
                            || has_trace_at (g_ptr_array_index (job->paths, i), graph->id, job->want_step)))
        {
          job->graph = graph;
          job->graphs = g_steal_pointer (&graphs);
          job->chosen = (int) i;
        }
      else if (graph != NULL && fallback == NULL)
        {
          fallback = graph;
          fallback_graphs = g_steal_pointer (&graphs);
          fallback_i = (int) i;
        }
      else
        lm_graph_data_free (graph);
      if (graphs != NULL)
        g_array_unref (graphs);
      if (graph == NULL && (job->paths->len == 1 || i + 1 == job->paths->len) && fallback == NULL)
        job->error = g_steal_pointer (&error);
      g_free (error);
    }
  if (job->chosen < 0 && fallback != NULL)
    {
      job->graph = g_steal_pointer (&fallback);
      job->graphs = g_steal_pointer (&fallback_graphs);
      job->chosen = fallback_i;
    }
  lm_graph_data_free (fallback);
  if (fallback_graphs != NULL)
    g_array_unref (fallback_graphs);
  if (job->chosen < 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!job->trace_only)
    {
      char *error = NULL;
      job->traces = lm_trace_data_list (g_ptr_array_index (job->paths, job->chosen), job->graph->id, &error);
      if (error)
        job->trace_error = error;
      if (job->traces && job->traces->len > 0 && trace_id < 0)
        {
          trace_id = g_array_index (job->traces, LmTraceInfo, job->traces->len - 1).id;
          for (guint k = 0; k < job->traces->len; k++)
            if (g_array_index (job->traces, LmTraceInfo, k).n_anomalies > 0)
              {
                trace_id = g_array_index (job->traces, LmTraceInfo, k).id;
                break;
              }
          for (guint k = 0; job->want_timed && k < job->traces->len; k++)
            if (g_array_index (job->traces, LmTraceInfo, k).timed)
              trace_id = g_array_index (job->traces, LmTraceInfo, k).id;
          for (guint k = 0; job->want_step >= 0 && k < job->traces->len; k++)
            if (g_array_index (job->traces, LmTraceInfo, k).step == job->want_step)
              trace_id = g_array_index (job->traces, LmTraceInfo, k).id;
        }
    }
  if (trace_id >= 0)
    {
      char *error = NULL;
      /* with values: the debugger's histogram needs them */
      job->trace = lm_trace_data_load (g_ptr_array_index (job->paths, job->chosen), trace_id, TRUE, &error);
      if (error && job->trace_error == NULL)
        job->trace_error = error;
      else
        g_free (error);
    }
  g_task_return_boolean (task, TRUE);
}

static void
update_details (LmGraphPage *self)
{
  g_autofree char *markup = lm_graph_view_describe_selected (LM_GRAPH_VIEW (self->view));

  gtk_label_set_markup (GTK_LABEL (self->details), markup);
  gint64 id = lm_graph_view_get_selected (LM_GRAPH_VIEW (self->view));
  self->syncing = TRUE;
  gtk_widget_set_sensitive (self->bp_toggle, id >= 0);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->bp_toggle),
                                id >= 0 && lm_graph_view_get_node_breakpoint (LM_GRAPH_VIEW (self->view), id));
  self->syncing = FALSE;
}

static void
on_bp_toggled (GtkToggleButton *b, LmGraphPage *self)
{
  gint64 id = lm_graph_view_get_selected (LM_GRAPH_VIEW (self->view));

  if (!self->syncing && id >= 0)
    lm_graph_view_set_node_breakpoint (LM_GRAPH_VIEW (self->view), id, gtk_toggle_button_get_active (b));
}

static void
set_status (LmGraphPage *self, const char *text)
{
  gtk_label_set_text (GTK_LABEL (self->status), text ? text : "");
  gtk_widget_set_visible (self->status, text != NULL && *text);
}

/* Makes list hold strings (freed here): one splice of the entries that
 * differ, so that a list shown open keeps its place as a live run adds
 * to it (an append is an append, a changed count one entry), and a
 * hundred traced steps are not listed again for each new one. */
static void
set_strings (GtkStringList *list, GPtrArray *strings)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list)), m = strings->len, p = 0, q = 0;

  while (p < n && p < m && strcmp (gtk_string_list_get_string (list, p), strings->pdata[p]) == 0)
    p++;
  while (q < n - p && q < m - p
         && strcmp (gtk_string_list_get_string (list, n - 1 - q), strings->pdata[m - 1 - q]) == 0)
    q++;
  if (p + q < n || p + q < m)
    {
      g_ptr_array_set_size (strings, m - q);
      g_ptr_array_add (strings, NULL);
      gtk_string_list_splice (list, p, n - p - q, (const char *const *) strings->pdata + p);
    }
  g_ptr_array_unref (strings);
}

/* The "Graph" drop-down: each graph of the run by name and step, shown only
 * when there are several (TensorBoard's "Tag" choice). */
static void
fill_graphs (LmGraphPage *self, gint64 shown_graph)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint sel = 0;

  self->updating = TRUE;
  for (guint i = 0; self->graphs && i < self->graphs->len; i++)
    {
      LmGraphInfo *g = &g_array_index (self->graphs, LmGraphInfo, i);
      g_autofree char *traces = g->n_traces == 0 ? g_strdup ("")
                                                 : g_strdup_printf (" · %u trace%s%s", g->n_traces,
                                                                    g->n_traces == 1 ? "" : "s",
                                                                    g->n_timed ? ", profiled" : "");

      if (g->name != NULL && *g->name)
        g_ptr_array_add (names, g_strdup_printf ("Graph: %s · step %" G_GINT64_FORMAT "%s", g->name, g->step,
                                                 traces));
      else
        g_ptr_array_add (names, g_strdup_printf ("Graph %" G_GINT64_FORMAT " · step %" G_GINT64_FORMAT "%s",
                                                 g->id, g->step, traces));
      if (g->id == shown_graph)
        sel = i;
    }
  set_strings (self->graph_names, names);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->graph_drop), sel);
  gtk_widget_set_visible (self->graph_drop, self->graphs != NULL && self->graphs->len > 1);
  self->updating = FALSE;
}

static void
fill_traces (LmGraphPage *self, gint64 shown_trace)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint sel = GTK_INVALID_LIST_POSITION;

  self->updating = TRUE;
  if (self->traces == NULL || self->traces->len == 0)
    g_ptr_array_add (names, g_strdup ("no traces"));
  for (guint i = 0; self->traces && i < self->traces->len; i++)
    {
      LmTraceInfo *t = &g_array_index (self->traces, LmTraceInfo, i);

      g_ptr_array_add (names, g_strdup_printf ("trace: step %" G_GINT64_FORMAT "%s%s", t->step,
                                               t->timed ? ", profiled" : "",
                                               t->n_anomalies ? "  ⚠ NaN/Inf" : ""));
      if (t->id == shown_trace)
        sel = i;
    }
  set_strings (self->trace_names, names);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->trace_drop), sel == GTK_INVALID_LIST_POSITION ? 0 : sel);
  gtk_widget_set_sensitive (self->trace_drop, self->traces && self->traces->len > 0);
  self->updating = FALSE;
}

/* A trace with a NaN/Inf opens on the op that made it (in backward, the
 * op whose backward returned it). */
static void
select_first_anomaly (LmGraphPage *self)
{
  LmGraphView *view = LM_GRAPH_VIEW (self->view);
  const LmTraceData *t = lm_graph_view_get_trace (view);
  LmTraceAnomaly a;

  if (lm_trace_data_first_anomaly (t, lm_graph_view_get_graph (view), LM_TRACE_NONFINITE, &a))
    lm_graph_view_select (view, t->events[a.event].node_id);
}

/* --step/--op: once, on the first full load that has a trace. */
static void
apply_target (LmGraphPage *self)
{
  const LmTraceData *t = lm_graph_view_get_trace (LM_GRAPH_VIEW (self->view));

  if (t == NULL || (self->want_step < 0 && self->want_op < 0))
    return;
  if (self->want_step >= 0 && t->step != self->want_step)
    g_message ("no trace at step %" G_GINT64_FORMAT "; showing the trace of step %" G_GINT64_FORMAT,
               self->want_step, t->step);
  /* op K is the event stored as seq K - 1, as lumen-train's "--op K" means */
  if (self->want_op > t->n_ops)
    g_message ("the trace has %" G_GINT64_FORMAT " ops; op %" G_GINT64_FORMAT " does not exist", t->n_ops,
               self->want_op);
  else if (self->want_op > 0 && lm_trace_data_find_seq (t, self->want_op - 1) < 0)
    g_message ("op %" G_GINT64_FORMAT " is missing from this trace (the run file lost it)", self->want_op);
  else if (self->want_op > 0)
    {
      lm_debugger_pane_set_current_op (LM_DEBUGGER_PANE (self->debugger), self->want_op);
      lm_graph_view_select (LM_GRAPH_VIEW (self->view),
                            t->events[lm_trace_data_find_seq (t, self->want_op - 1)].node_id);
    }
  self->want_step = self->want_op = -1;
}

/* A trace that could not be read is said so, not shown as an empty one. */
static void
show_trace_error (LmGraphPage *self, LoadJob *job)
{
  if (job->trace_error)
    {
      g_autofree char *msg = g_strdup_printf ("Cannot read the traces of %s: %s",
                                              self->run_name ? self->run_name : "this run", job->trace_error);
      set_status (self, msg);
    }
}

static void
apply_load (LmGraphPage *self, LoadJob *job)
{
  if (job->trace_only)
    {
      lm_graph_view_set_trace (LM_GRAPH_VIEW (self->view), g_steal_pointer (&job->trace));
      select_first_anomaly (self);
      lm_debugger_pane_reload (LM_DEBUGGER_PANE (self->debugger));
      lm_profile_pane_reload (LM_PROFILE_PANE (self->profile));
      show_trace_error (self, job);
      self->settled = TRUE;
      return;
    }
  if (job->chosen < 0)
    {
      g_autofree char *msg = g_strdup_printf ("%s%s", job->names->len ? "No graph to show: " : "No runs yet",
                                              job->names->len ? (job->error ? job->error : "no run has one")
                                                              : "");
      lm_graph_view_set_graph (LM_GRAPH_VIEW (self->view), NULL);
      g_clear_pointer (&self->graphs, g_array_unref);
      fill_graphs (self, -1);
      set_status (self, msg);
      self->settled = TRUE;   /* a new run starts a new load, which unsettles it */
      return;
    }
  g_free (self->run_name);
  g_free (self->path);
  self->run_name = g_strdup (g_ptr_array_index (job->names, job->chosen));
  self->path = g_strdup (g_ptr_array_index (job->paths, job->chosen));
  if (self->traces)
    g_array_unref (self->traces);
  self->traces = g_steal_pointer (&job->traces);
  if (self->graphs)
    g_array_unref (self->graphs);
  self->graphs = g_steal_pointer (&job->graphs);
  set_status (self, NULL);
  self->updating = TRUE;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->run_names)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->run_names, i), self->run_name) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->run_drop), i);
  self->updating = FALSE;
  fill_graphs (self, job->graph->id);
  fill_traces (self, job->trace ? job->trace->id : -1);
  lm_graph_view_set_graph (LM_GRAPH_VIEW (self->view), g_steal_pointer (&job->graph));
  lm_graph_view_set_trace (LM_GRAPH_VIEW (self->view), g_steal_pointer (&job->trace));
  select_first_anomaly (self);
  lm_debugger_pane_reload (LM_DEBUGGER_PANE (self->debugger));
  lm_profile_pane_set_run_name (LM_PROFILE_PANE (self->profile), self->run_name);
  lm_profile_pane_reload (LM_PROFILE_PANE (self->profile));
  show_trace_error (self, job);
  apply_target (self);
  update_details (self);
}

static void refresh_lists (LmGraphPage *self);

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmGraphPage *self = LM_GRAPH_PAGE (source);
  LoadJob *job = g_task_get_task_data (G_TASK (res));

  if (job->generation != self->generation)
    return;
  self->loading = FALSE;
  apply_load (self, job);
  /* the file changed while it loaded (a trace alone lists nothing, a run
   * listed what was there when it started): what came joins the lists */
  if (self->list_after_load && !self->loading)
    {
      self->list_after_load = FALSE;
      refresh_lists (self);
    }
}

/* Loads run `name` (NULL: the first run with a graph); trace_id >= 0 with
 * trace_only loads just that trace of the shown graph. */
static void
start_load (LmGraphPage *self, const char *name, gint64 trace_id, gboolean trace_only)
{
  LoadJob *job = g_new0 (LoadJob, 1);
  GListModel *model = G_LIST_MODEL (self->store);
  GTask *task;

  job->generation = ++self->generation;
  job->names = g_ptr_array_new_with_free_func (g_free);
  job->paths = g_ptr_array_new_with_free_func (g_free);
  job->trace_id = trace_id;
  job->trace_only = trace_only;
  job->want_step = self->want_step;
  job->want_timed = self->want_timed;
  /* the drop-down's choice holds for this load; any other reload chooses */
  job->graph_id = trace_only ? -1 : self->want_graph;
  if (!trace_only)
    self->want_graph = -1;
  if (trace_only)
    {
      g_ptr_array_add (job->names, g_strdup (self->run_name));
      g_ptr_array_add (job->paths, g_strdup (self->path));
    }
  else
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr (LmRun) run = g_list_model_get_item (model, i);

        if (name == NULL || g_strcmp0 (name, lm_run_get_name (run)) == 0)
          {
            g_ptr_array_add (job->names, g_strdup (lm_run_get_name (run)));
            g_ptr_array_add (job->paths, g_strdup (lm_run_get_path (run)));
          }
      }
  self->loading = TRUE;
  self->settled = FALSE;
  task = g_task_new (self, NULL, on_loaded, NULL);
  g_task_set_task_data (task, job, load_job_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

static void
on_runs_changed (GListModel *model, guint pos, guint removed, guint added, LmGraphPage *self)
{
  guint n = g_list_model_get_n_items (model);
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->run_names));

  self->updating = TRUE;
  gtk_string_list_splice (self->run_names, 0, old, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (model, i);
      gtk_string_list_append (self->run_names, lm_run_get_name (run));
      if (g_strcmp0 (self->run_name, lm_run_get_name (run)) == 0)
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->run_drop), i);
    }
  self->updating = FALSE;
  /* nothing shown yet: look again (new runs may have a graph) */
  if (self->run_name == NULL && n > 0)
    start_load (self, NULL, -1, FALSE);
  else if (self->run_name == NULL && !self->loading)
    set_status (self, "No runs yet");
}

typedef struct
{
  guint generation;
  char *path;
  gint64 graph_id;
  GArray *graphs, *traces;     /* results; NULL when unreadable */
} ListJob;

static void
list_job_free (gpointer p)
{
  ListJob *job = p;

  g_free (job->path);
  if (job->graphs)
    g_array_unref (job->graphs);
  if (job->traces)
    g_array_unref (job->traces);
  g_free (job);
}

static void
list_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ListJob *job = data;
  g_autofree char *why = NULL, *why_traces = NULL;

  job->graphs = lm_graph_data_infos (job->path, &why);
  job->traces = lm_trace_data_list (job->path, job->graph_id, &why_traces);
  g_task_return_boolean (task, TRUE);
}

static gboolean
same_graphs (GArray *a, GArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return a == b;
  for (guint i = 0; i < a->len; i++)
    {
      const LmGraphInfo *x = &g_array_index (a, LmGraphInfo, i), *y = &g_array_index (b, LmGraphInfo, i);
      if (x->id != y->id || x->step != y->step || g_strcmp0 (x->name, y->name) != 0
          || x->n_traces != y->n_traces || x->n_timed != y->n_timed)
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_traces (GArray *a, GArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return a == b;
  for (guint i = 0; i < a->len; i++)
    {
      const LmTraceInfo *x = &g_array_index (a, LmTraceInfo, i), *y = &g_array_index (b, LmTraceInfo, i);
      if (x->id != y->id || x->step != y->step || x->timed != y->timed || x->n_anomalies != y->n_anomalies)
        return FALSE;
    }
  return TRUE;
}

/* The shown run's lists again: the drop-downs gain what is new, the shown
 * graph and trace stay chosen. */
static void
on_listed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmGraphPage *self = LM_GRAPH_PAGE (source);
  ListJob *job = g_task_get_task_data (G_TASK (res));
  const LmTraceData *shown = lm_graph_view_get_trace (LM_GRAPH_VIEW (self->view));
  gboolean again = self->refresh_again;
  gint64 newest;

  self->refreshing = self->refresh_again = FALSE;
  /* a load since then: listed again once it is done */
  if (job->generation != self->generation || self->loading)
    {
      refresh_lists (self);
      return;
    }
  if (job->graphs == NULL)
    {
      /* the file could not be read (busy): a change that came meanwhile
       * is listed now, not at the file's next change */
      if (again)
        refresh_lists (self);
      return;
    }
  if (!same_graphs (self->graphs, job->graphs))
    {
      g_clear_pointer (&self->graphs, g_array_unref);
      self->graphs = g_steal_pointer (&job->graphs);
      fill_graphs (self, job->graph_id);
    }
  if (job->traces != NULL && !same_traces (self->traces, job->traces))
    {
      g_clear_pointer (&self->traces, g_array_unref);
      self->traces = g_steal_pointer (&job->traces);
      /* nothing was shown: the newest step, chosen in the drop-down too */
      newest = self->traces->len > 0 ? g_array_index (self->traces, LmTraceInfo, self->traces->len - 1).id : -1;
      fill_traces (self, shown ? shown->id : newest);
      if (shown == NULL && newest >= 0)
        start_load (self, self->run_name, newest, TRUE);
    }
  if (again)
    refresh_lists (self);
}

static void
refresh_lists (LmGraphPage *self)
{
  const LmGraphData *g = lm_graph_view_get_graph (LM_GRAPH_VIEW (self->view));
  ListJob *job;
  GTask *task;

  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }
  if (self->loading)
    {
      self->list_after_load = TRUE;
      return;
    }
  if (self->path == NULL || g == NULL)
    return;
  job = g_new0 (ListJob, 1);
  job->generation = self->generation;
  job->path = g_strdup (self->path);
  job->graph_id = g->id;
  self->refreshing = TRUE;
  task = g_task_new (self, NULL, on_listed, NULL);
  g_task_set_task_data (task, job, list_job_free);
  g_task_run_in_thread (task, list_thread);
  g_object_unref (task);
}

static void
on_run_file_read (LmRunStore *store, LmRun *run, LmGraphPage *self)
{
  /* no run with a graph yet: this one may have one now */
  if (self->run_name == NULL)
    {
      if (!self->loading && gtk_widget_get_mapped (GTK_WIDGET (self)))
        start_load (self, NULL, -1, FALSE);
      return;
    }
  if (g_strcmp0 (lm_run_get_name (run), self->run_name) == 0)
    refresh_lists (self);
}

static void
on_run_selected (GtkDropDown *drop, GParamSpec *pspec, LmGraphPage *self)
{
  guint i = gtk_drop_down_get_selected (drop);
  const char *name;

  if (self->updating || i == GTK_INVALID_LIST_POSITION)
    return;
  name = gtk_string_list_get_string (self->run_names, i);
  if (name && g_strcmp0 (name, self->run_name) != 0)
    lm_graph_page_set_run (self, name);
}

static void
on_graph_selected (GtkDropDown *drop, GParamSpec *pspec, LmGraphPage *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (self->updating || self->graphs == NULL || i >= self->graphs->len || self->run_name == NULL)
    return;
  self->want_graph = g_array_index (self->graphs, LmGraphInfo, i).id;
  start_load (self, self->run_name, -1, FALSE);
}

static void
on_trace_selected (GtkDropDown *drop, GParamSpec *pspec, LmGraphPage *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (self->updating || self->traces == NULL || i >= self->traces->len)
    return;
  start_load (self, self->run_name, g_array_index (self->traces, LmTraceInfo, i).id, TRUE);
}

/* Whether graphs (LmGraphInfo) has a profiled graph, and whether graph_id is one. */
static gboolean
has_timed_graph (GArray *graphs, gint64 graph_id, gboolean *shown_timed)
{
  gboolean any = FALSE;

  *shown_timed = FALSE;
  for (guint i = 0; graphs != NULL && i < graphs->len; i++)
    {
      const LmGraphInfo *g = &g_array_index (graphs, LmGraphInfo, i);
      any |= g->n_timed > 0;
      *shown_timed |= g->n_timed > 0 && g->id == graph_id;
    }
  return any;
}

/* The Profile tab, clicked on a graph without profiled steps while another
 * graph of the run has them (an imported torch.profiler trace): that graph. */
static void
on_side_changed (GtkStack *side, GParamSpec *pspec, LmGraphPage *self)
{
  const LmGraphData *g = lm_graph_view_get_graph (LM_GRAPH_VIEW (self->view));
  gboolean shown_timed;

  if (self->store == NULL || self->want_timed || g_strcmp0 (gtk_stack_get_visible_child_name (side), "profile") != 0)
    return;
  self->want_timed = TRUE;
  if (g != NULL && self->run_name != NULL && has_timed_graph (self->graphs, g->id, &shown_timed) && !shown_timed)
    start_load (self, self->run_name, -1, FALSE);
}

static void
on_search (GtkSearchEntry *entry, LmGraphPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  guint n = lm_graph_view_search (LM_GRAPH_VIEW (self->view), text);

  if (*text && n == 0)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

/* Enter or Ctrl+G: the next match; Shift+Ctrl+G: the previous one (the
 * search selected only the first: the second "relu" could not be reached
 * from the search). */
static void
on_search_next (GtkSearchEntry *entry, LmGraphPage *self)
{
  lm_graph_view_search_step (LM_GRAPH_VIEW (self->view), 1);
}

static void
on_search_previous (GtkSearchEntry *entry, LmGraphPage *self)
{
  lm_graph_view_search_step (LM_GRAPH_VIEW (self->view), -1);
}

static void
on_color_selected (GtkDropDown *drop, GParamSpec *pspec, LmGraphPage *self)
{
  lm_graph_view_set_color (LM_GRAPH_VIEW (self->view), (LmGraphColor) gtk_drop_down_get_selected (drop));
}

static void on_fit (GtkButton *b, LmGraphPage *self) { lm_graph_view_fit (LM_GRAPH_VIEW (self->view)); }
static void on_zoom_in (GtkButton *b, LmGraphPage *self) { lm_graph_view_zoom (LM_GRAPH_VIEW (self->view), 1.25); }
static void on_zoom_out (GtkButton *b, LmGraphPage *self) { lm_graph_view_zoom (LM_GRAPH_VIEW (self->view), 0.8); }
static void on_collapse (GtkButton *b, LmGraphPage *self) { lm_graph_view_collapse_all (LM_GRAPH_VIEW (self->view), TRUE); }
static void on_expand (GtkButton *b, LmGraphPage *self) { lm_graph_view_collapse_all (LM_GRAPH_VIEW (self->view), FALSE); }

static void
on_selection_changed (LmGraphView *view, LmGraphPage *self)
{
  update_details (self);
}

static void
on_laid_out (LmGraphView *view, LmGraphPage *self)
{
  if (!self->loading)
    self->settled = TRUE;
}

static void
lm_graph_page_dispose (GObject *object)
{
  LmGraphPage *self = LM_GRAPH_PAGE (object);

  self->generation++;
  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_graph_page_parent_class)->dispose (object);
}

static void
lm_graph_page_finalize (GObject *object)
{
  LmGraphPage *self = LM_GRAPH_PAGE (object);

  g_free (self->run_name);
  g_free (self->path);
  if (self->traces)
    g_array_unref (self->traces);
  if (self->graphs)
    g_array_unref (self->graphs);
  G_OBJECT_CLASS (lm_graph_page_parent_class)->finalize (object);
}

static void
lm_graph_page_class_init (LmGraphPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_graph_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_graph_page_finalize;
}

static GtkWidget *
tool_button (const char *icon, const char *tip, GCallback cb, LmGraphPage *self)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);

  lm_icon_tip (b, tip);
  g_signal_connect (b, "clicked", cb, self);
  return b;
}

static void
lm_graph_page_init (LmGraphPage *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  GtkWidget *scroll = gtk_scrolled_window_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->want_step = self->want_op = self->want_graph = -1;
  gtk_widget_set_margin_start (bar, 8);
  gtk_widget_set_margin_end (bar, 8);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);

  self->run_names = gtk_string_list_new (NULL);
  self->run_drop = gtk_drop_down_new (G_LIST_MODEL (self->run_names), NULL);
  gtk_widget_set_tooltip_text (self->run_drop, "Run whose graph is shown");
  g_signal_connect (self->run_drop, "notify::selected", G_CALLBACK (on_run_selected), self);
  self->graph_names = gtk_string_list_new (NULL);
  self->graph_drop = gtk_drop_down_new (G_LIST_MODEL (self->graph_names), NULL);
  gtk_widget_set_tooltip_text (self->graph_drop, "Graph of the run that is shown (the model's, or the ops of "
                                                 "an imported torch.profiler trace)");
  gtk_widget_set_visible (self->graph_drop, FALSE);
  g_signal_connect (self->graph_drop, "notify::selected", G_CALLBACK (on_graph_selected), self);
  self->trace_names = gtk_string_list_new (NULL);
  self->trace_drop = gtk_drop_down_new (G_LIST_MODEL (self->trace_names), NULL);
  gtk_widget_set_tooltip_text (self->trace_drop, "Traced step whose statistics are shown");
  g_signal_connect (self->trace_drop, "notify::selected", G_CALLBACK (on_trace_selected), self);
  self->search = gtk_search_entry_new ();
  g_object_set (self->search, "placeholder-text", "Find node, op or module", NULL);
  gtk_widget_set_hexpand (self->search, TRUE);
  g_signal_connect (self->search, "search-changed", G_CALLBACK (on_search), self);
  g_signal_connect (self->search, "activate", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search, "next-match", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search, "previous-match", G_CALLBACK (on_search_previous), self);
  gtk_widget_set_tooltip_text (self->search, "Find a node by name, op or module; Enter or Ctrl+G: next match, "
                                             "Shift+Ctrl+G: previous");
  {
    /* TensorBoard's graph dashboard's "Color" choice */
    static const char *const colors[] = { "Color: Structure", "Color: Compute time", NULL };
    self->color_drop = gtk_drop_down_new_from_strings (colors);
    gtk_widget_set_tooltip_text (self->color_drop, "Fill the nodes by op kind, or by their forward + backward "
                                                   "time in the shown trace (lumen-train --profile-steps)");
    g_signal_connect (self->color_drop, "notify::selected", G_CALLBACK (on_color_selected), self);
  }
  gtk_box_append (GTK_BOX (bar), self->run_drop);
  gtk_box_append (GTK_BOX (bar), self->graph_drop);
  gtk_box_append (GTK_BOX (bar), self->trace_drop);
  gtk_box_append (GTK_BOX (bar), self->color_drop);
  gtk_box_append (GTK_BOX (bar), self->search);
  gtk_box_append (GTK_BOX (bar), tool_button ("zoom-out-symbolic", "Zoom out", G_CALLBACK (on_zoom_out), self));
  gtk_box_append (GTK_BOX (bar), tool_button ("zoom-in-symbolic", "Zoom in", G_CALLBACK (on_zoom_in), self));
  gtk_box_append (GTK_BOX (bar), tool_button ("zoom-fit-best-symbolic", "Fit to window", G_CALLBACK (on_fit), self));
  gtk_box_append (GTK_BOX (bar), tool_button ("view-restore-symbolic", "Collapse every module",
                                              G_CALLBACK (on_collapse), self));
  gtk_box_append (GTK_BOX (bar), tool_button ("view-fullscreen-symbolic", "Expand every module",
                                              G_CALLBACK (on_expand), self));
  /* the page must not widen the window: the toolbar scrolls when narrow */
  {
    GtkWidget *bar_scroll = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (bar_scroll), GTK_POLICY_EXTERNAL, GTK_POLICY_NEVER);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (bar_scroll), bar);
    gtk_box_append (GTK_BOX (self), bar_scroll);
  }

  self->status = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_set_visible (self->status, FALSE);
  gtk_box_append (GTK_BOX (self), self->status);

  self->view = lm_graph_view_new ();
  g_signal_connect (self->view, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->view, "laid-out", G_CALLBACK (on_laid_out), self);
  g_signal_connect (self->view, "breakpoints-changed", G_CALLBACK (on_selection_changed), self);
  self->details = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->details), TRUE);
  gtk_label_set_selectable (GTK_LABEL (self->details), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->details), 0);
  gtk_label_set_yalign (GTK_LABEL (self->details), 0);
  gtk_widget_set_margin_start (self->details, 10);
  gtk_widget_set_margin_end (self->details, 10);
  gtk_widget_set_margin_top (self->details, 8);
  {
    /* the selected node's breakpoint (the debugger's "Run to" stops there) */
    GtkWidget *node_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
    self->bp_toggle = gtk_toggle_button_new_with_label ("● Breakpoint on this node");
    gtk_widget_set_tooltip_text (self->bp_toggle, "Break at this node in the debugger (forward and backward)");
    gtk_widget_set_margin_start (self->bp_toggle, 10);
    gtk_widget_set_margin_end (self->bp_toggle, 10);
    gtk_widget_set_margin_top (self->bp_toggle, 8);
    gtk_widget_set_halign (self->bp_toggle, GTK_ALIGN_START);
    g_signal_connect (self->bp_toggle, "toggled", G_CALLBACK (on_bp_toggled), self);
    gtk_box_append (GTK_BOX (node_box), self->bp_toggle);
    gtk_box_append (GTK_BOX (node_box), self->details);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), node_box);
  }
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_label_set_width_chars (GTK_LABEL (self->details), 30);
  gtk_label_set_max_width_chars (GTK_LABEL (self->details), 40);
  self->debugger = lm_debugger_pane_new (LM_GRAPH_VIEW (self->view));
  self->side = gtk_stack_new ();
  gtk_stack_add_titled (GTK_STACK (self->side), scroll, "node", "Node");
  {
    /* The debugger's pane is taller than a laptop screen: it scrolls as a
     * whole instead of making the window taller. */
    GtkWidget *dscroll = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (dscroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (dscroll), self->debugger);
    gtk_widget_set_vexpand (dscroll, TRUE);
    gtk_stack_add_titled (GTK_STACK (self->side), dscroll, "debugger", "Debugger");
  }
  {
    /* scrolls as a whole, as the debugger does (its wrapped summary would
     * otherwise ask the paned for a height it does not report) */
    GtkWidget *pscroll = gtk_scrolled_window_new ();
    self->profile = lm_profile_pane_new (LM_GRAPH_VIEW (self->view));
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (pscroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (pscroll), self->profile);
    gtk_widget_set_vexpand (pscroll, TRUE);
    gtk_stack_add_titled (GTK_STACK (self->side), pscroll, "profile", "Profile");
    g_signal_connect (self->side, "notify::visible-child", G_CALLBACK (on_side_changed), self);
  }
  {
    GtkWidget *side_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
    GtkWidget *sw = gtk_stack_switcher_new ();
    gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (sw), GTK_STACK (self->side));
    gtk_widget_set_halign (sw, GTK_ALIGN_CENTER);
    gtk_widget_set_margin_top (sw, 4);
    gtk_widget_set_vexpand (self->side, TRUE);
    gtk_box_append (GTK_BOX (side_box), sw);
    gtk_box_append (GTK_BOX (side_box), self->side);
    gtk_paned_set_start_child (GTK_PANED (paned), self->view);
    gtk_paned_set_end_child (GTK_PANED (paned), side_box);
  }
  gtk_paned_set_resize_end_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), TRUE);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (self), paned);
  update_details (self);
}

GtkWidget *
lm_graph_page_new (LmRunStore *store)
{
  LmGraphPage *self = g_object_new (LM_TYPE_GRAPH_PAGE, NULL);

  g_return_val_if_fail (LM_IS_RUN_STORE (store), NULL);
  self->store = g_object_ref (store);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_runs_changed), self);
  g_signal_connect (store, "run-file-read", G_CALLBACK (on_run_file_read), self);
  on_runs_changed (G_LIST_MODEL (store), 0, 0, 0, self);
  return GTK_WIDGET (self);
}

gboolean
lm_graph_page_set_run (LmGraphPage *self, const char *run_name)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), FALSE);
  if (lm_run_store_find (self->store, run_name) == NULL)
    return FALSE;
  start_load (self, run_name, -1, FALSE);
  return TRUE;
}

LmGraphView *
lm_graph_page_get_view (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return LM_GRAPH_VIEW (self->view);
}

GtkWidget *
lm_graph_page_get_graph_drop (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return self->graph_drop;
}

GtkWidget *
lm_graph_page_get_trace_drop (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return self->trace_drop;
}

GtkWidget *
lm_graph_page_get_search_entry (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return self->search;
}

void
lm_graph_page_show_debugger (LmGraphPage *self, gboolean debugger)
{
  g_return_if_fail (LM_IS_GRAPH_PAGE (self));
  gtk_stack_set_visible_child_name (GTK_STACK (self->side), debugger ? "debugger" : "node");
}

void
lm_graph_page_show_profile (LmGraphPage *self)
{
  gboolean reload;

  g_return_if_fail (LM_IS_GRAPH_PAGE (self));
  reload = !self->want_timed && (self->run_name != NULL || self->loading);
  self->want_timed = TRUE;
  gtk_stack_set_visible_child_name (GTK_STACK (self->side), "profile");
  if (reload)
    start_load (self, self->run_name, -1, FALSE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->color_drop), LM_GRAPH_COLOR_COMPUTE_TIME);
}

LmProfilePane *
lm_graph_page_get_profile (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return LM_PROFILE_PANE (self->profile);
}

void
lm_graph_page_set_color (LmGraphPage *self, LmGraphColor color)
{
  g_return_if_fail (LM_IS_GRAPH_PAGE (self));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->color_drop), color);
}

LmDebuggerPane *
lm_graph_page_get_debugger (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), NULL);
  return LM_DEBUGGER_PANE (self->debugger);
}

gboolean
lm_graph_page_is_settled (LmGraphPage *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_PAGE (self), FALSE);
  /* no runs (yet): nothing to load, the page says so */
  if (!self->loading && self->run_name == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    return TRUE;
  if (self->loading || !self->settled)
    return FALSE;
  return lm_graph_view_get_graph (LM_GRAPH_VIEW (self->view)) == NULL
         || lm_graph_view_is_laid_out (LM_GRAPH_VIEW (self->view));
}

void
lm_graph_page_set_target (LmGraphPage *self, gint64 step, gint64 op)
{
  g_return_if_fail (LM_IS_GRAPH_PAGE (self));
  self->want_step = step;
  self->want_op = op;
  /* a load under way or done did not know: load again */
  if (self->run_name != NULL || self->loading)
    start_load (self, self->run_name, -1, FALSE);
}
