/* test-graph-select.c: a run with several graphs (a model graph, then the
 * edge-less graph of an imported torch.profiler trace): which one the
 * Graph page opens (lm_graph_data_choose), the "Graph" drop-down that
 * switches (hidden for one graph, or none), and the Profile pane and --step
 * finding the traced one.
 *
 * The page parts need a display (run under Xvfb); they skip without one.
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <string.h>

#include "lm-graph-data.h"
#include "lm-graph-page.h"
#include "lm-profile-pane.h"
#include "lm-run-store.h"
#include "lumen-log.h"
#include "train-fixture.h"
#include "ui-test-util.h"

static char *tmpdir;
static char *two_dir, *one_dir;

/* An untimed trace of step of the model graph gid (its linear and relu). */
static void
add_model_trace (lm_writer *w, int64_t gid, gint64 step)
{
  int64_t shape[] = { 4, 8 };
  lm_trace *t = NULL;

  g_assert_cmpint (lm_trace_new (&t, gid, step), ==, LM_OK);
  for (gint64 id = 2; id <= 3; id++)
    {
      lm_trace_stats st = { 0, 1, 0.5, 0.1, 0, 0, 0 };
      g_assert_cmpint (lm_trace_add_event_stats (t, id, LM_PHASE_FORWARD, shape, 2, 32, &st), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_add_trace (w, t, NULL), ==, LM_OK);
  lm_trace_free (t);
}

/* Graph "mlp" (input -> linear -> relu) at step 0; returns its id. */
static int64_t
add_model (lm_writer *w)
{
  static const char *const mlp_ops[] = { "input", "linear", "relu" };
  int64_t shape[] = { 4, 8 };
  lm_graph *g = NULL;
  int64_t gid = -1;

  g_assert_cmpint (lm_graph_new (&g, "mlp"), ==, LM_OK);
  for (guint i = 0; i < G_N_ELEMENTS (mlp_ops); i++)
    {
      lm_graph_node n = { .id = i + 1, .op = mlp_ops[i], .shape = shape, .ndim = 2 };
      g_assert_cmpint (lm_graph_add_node (g, &n), ==, LM_OK);
    }
  g_assert_cmpint (lm_graph_add_edge (g, 1, 2, 0), ==, LM_OK);
  g_assert_cmpint (lm_graph_add_edge (g, 2, 3, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_graph (w, 0, g, &gid), ==, LM_OK);
  lm_graph_free (g);
  return gid;
}

/* Graph "profile" (two ops, no edges, as lumen-import writes
 * torch.profiler's) with a profiled trace of step 3. */
static void
add_profile (lm_writer *w)
{
  static const char *const prof_ops[] = { "aten::addmm", "aten::relu" };
  lm_graph *g = NULL;
  lm_trace *t = NULL;
  int64_t gid = -1;

  g_assert_cmpint (lm_graph_new (&g, "profile"), ==, LM_OK);
  for (guint i = 0; i < G_N_ELEMENTS (prof_ops); i++)
    {
      lm_graph_node n = { .id = i + 1, .op = prof_ops[i], .name = prof_ops[i], .ndim = -1 };
      g_assert_cmpint (lm_graph_add_node (g, &n), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_add_graph (w, 3, g, &gid), ==, LM_OK);
  lm_graph_free (g);
  g_assert_cmpint (lm_trace_new (&t, gid, 3), ==, LM_OK);
  for (gint64 id = 1; id <= 2; id++)
    {
      lm_trace_stats st = { 0, 1, 0.5, 0.1, 0, 0, 0 };
      g_assert_cmpint (lm_trace_add_event_stats (t, id, LM_PHASE_FORWARD, NULL, -1, 0, &st), ==, LM_OK);
      g_assert_cmpint (lm_trace_set_event_time (t, (id - 1) * 3000, 3000 * id), ==, LM_OK);
    }
  g_assert_cmpint (lm_trace_set_step_time (t, 10000), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_trace (w, t, NULL), ==, LM_OK);
  lm_trace_free (t);
}

/* A run in dir: add_model's graph with an untimed trace of step 2, and
 * unless model_only, add_profile's. */
static void
write_run (const char *dir, gboolean model_only)
{
  lm_writer *w = NULL;

  g_assert_cmpint (lm_writer_open (&w, dir, "run"), ==, LM_OK);
  add_model_trace (w, add_model (w), 2);
  if (!model_only)
    add_profile (w);
  lm_writer_close (w);
}

static const LmGraphInfo *
info_named (GArray *infos, const char *name)
{
  for (guint i = 0; i < infos->len; i++)
    if (g_strcmp0 (g_array_index (infos, LmGraphInfo, i).name, name) == 0)
      return &g_array_index (infos, LmGraphInfo, i);
  g_assert_not_reached ();
}

/* The model graph by default, the profile's for profiling or its step. */
static void
test_choose (void)
{
  g_autofree char *path = g_build_filename (two_dir, "run", "run.lumen", NULL);
  g_autofree char *one = g_build_filename (one_dir, "run", "run.lumen", NULL);
  char *error = NULL;
  GArray *infos = lm_graph_data_infos (path, &error);
  GArray *traces = lm_trace_data_list (path, -1, &error);
  const LmGraphInfo *mlp, *prof;

  g_assert_null (error);
  g_assert_cmpuint (infos->len, ==, 2);
  mlp = info_named (infos, "mlp");
  prof = info_named (infos, "profile");
  g_assert_cmpint (mlp->n_nodes, ==, 3);
  g_assert_cmpint (mlp->n_edges, ==, 2);
  g_assert_cmpuint (mlp->n_traces, ==, 1);
  g_assert_cmpuint (mlp->n_timed, ==, 0);
  g_assert_cmpint (prof->n_nodes, ==, 2);
  g_assert_cmpint (prof->n_edges, ==, 0);
  g_assert_cmpuint (prof->n_traces, ==, 1);
  g_assert_cmpuint (prof->n_timed, ==, 1);
  g_assert_cmpint (prof->id, >, mlp->id);
  g_assert_cmpint (lm_graph_data_choose (infos, traces, -1, FALSE), ==, mlp->id);
  g_assert_cmpint (lm_graph_data_choose (infos, traces, -1, TRUE), ==, prof->id);
  g_assert_cmpint (lm_graph_data_choose (infos, traces, 3, FALSE), ==, prof->id);
  g_assert_cmpint (lm_graph_data_choose (infos, traces, 2, TRUE), ==, mlp->id);
  g_assert_cmpint (lm_graph_data_choose (infos, traces, 99, FALSE), ==, mlp->id);
  g_assert_cmpint (lm_graph_data_choose (NULL, NULL, -1, FALSE), ==, -1);
  g_array_unref (infos);
  g_array_unref (traces);

  /* lumen-train's one graph: the only choice whatever is asked */
  infos = lm_graph_data_infos (one, &error);
  g_assert_null (error);
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_cmpint (lm_graph_data_choose (infos, NULL, -1, TRUE), ==, g_array_index (infos, LmGraphInfo, 0).id);
  g_array_unref (infos);
  g_assert_null (lm_graph_data_infos ("/nonexistent/run.lumen", &error));
  g_assert_nonnull (error);
  g_free (error);
}

static gboolean
shows (LmGraphPage *page, const char *graph)
{
  const LmGraphData *g = lm_graph_view_get_graph (lm_graph_page_get_view (page));

  return lm_graph_page_is_settled (page) && g != NULL && g_strcmp0 (g->name, graph) == 0;
}

static void
wait_for (LmGraphPage *page, const char *graph)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!shows (page, graph) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (shows (page, graph));
}

/* The graph page of dir in a window; profile: opened on its Profile pane
 * (`lumen --view profile`); step >= 0: at that step (--step). */
static LmGraphPage *
open_page (const char *dir, gboolean profile, gint64 step, LmRunStore **store, GtkWidget **win)
{
  GtkWidget *page;

  *store = lm_run_store_new (dir);
  page = lm_graph_page_new (*store);
  if (profile)
    lm_graph_page_show_profile (LM_GRAPH_PAGE (page));
  if (step >= 0)
    {
      lm_graph_page_show_debugger (LM_GRAPH_PAGE (page), TRUE);
      lm_graph_page_set_target (LM_GRAPH_PAGE (page), step, -1);
    }
  *win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (*win), 1200, 800);
  gtk_window_set_child (GTK_WINDOW (*win), page);
  gtk_window_present (GTK_WINDOW (*win));
  lm_run_store_start (*store);
  return LM_GRAPH_PAGE (page);
}

static void
close_page (LmRunStore *store, GtkWidget *win)
{
  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (store);
}

static const char *
drop_item (GtkWidget *drop, guint i)
{
  return gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (drop))), i);
}

/* The model graph opens; the drop-down lists both and switches. */
static void
test_page_switch (void)
{
  LmRunStore *store;
  GtkWidget *win, *drop;
  LmGraphPage *page;
  const LmTraceData *t;

  if (lm_ui_test_no_display ())
    return;
  page = open_page (two_dir, FALSE, -1, &store, &win);
  wait_for (page, "mlp");
  g_assert_cmpuint (lm_graph_view_get_graph (lm_graph_page_get_view (page))->n_edges, ==, 2);
  drop = lm_graph_page_get_graph_drop (page);
  g_assert_true (gtk_widget_get_visible (drop));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (drop))), ==, 2);
  g_assert_cmpstr (drop_item (drop, 0), ==, "Graph: mlp · step 0 · 1 trace");
  g_assert_cmpstr (drop_item (drop, 1), ==, "Graph: profile · step 3 · 1 trace, profiled");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (drop)), ==, 0);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), 1);
  wait_for (page, "profile");
  t = lm_graph_view_get_trace (lm_graph_page_get_view (page));
  g_assert_nonnull (t);
  g_assert_cmpint (t->step, ==, 3);
  g_assert_cmpint (t->dur_ns, ==, 10000);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (drop)), ==, 1);
  /* the Profile pane follows: the two ops of the profiled step */
  g_assert_nonnull (lm_profile_pane_get_profile (lm_graph_page_get_profile (page)));
  g_assert_cmpuint (lm_profile_pane_get_n_shown (lm_graph_page_get_profile (page)), ==, 2);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), 0);
  wait_for (page, "mlp");
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 2);

  /* a run without a graph: nothing to choose from */
  g_assert_true (lm_graph_page_set_run (page, "plain"));
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while ((!lm_graph_page_is_settled (page) || lm_graph_view_get_graph (lm_graph_page_get_view (page)))
           && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_null (lm_graph_view_get_graph (lm_graph_page_get_view (page)));
  g_assert_false (gtk_widget_get_visible (drop));
  close_page (store, win);
}

/* --view profile, the Profile tab and --step 3 open the traced graph. */
static void
test_page_profile (void)
{
  LmRunStore *store;
  GtkWidget *win, *side;
  LmGraphPage *page;

  if (lm_ui_test_no_display ())
    return;
  page = open_page (two_dir, TRUE, -1, &store, &win);
  wait_for (page, "profile");
  g_assert_true (lm_graph_view_get_trace (lm_graph_page_get_view (page))->dur_ns == 10000);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (lm_graph_page_get_profile (page)), ==, 2);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (lm_graph_page_get_graph_drop (page))), ==, 1);
  close_page (store, win);

  /* the model graph shown, then the Profile tab clicked */
  page = open_page (two_dir, FALSE, -1, &store, &win);
  wait_for (page, "mlp");
  side = gtk_widget_get_ancestor (GTK_WIDGET (lm_graph_page_get_profile (page)), GTK_TYPE_STACK);
  gtk_stack_set_visible_child_name (GTK_STACK (side), "profile");
  wait_for (page, "profile");
  g_assert_cmpuint (lm_profile_pane_get_n_shown (lm_graph_page_get_profile (page)), ==, 2);
  close_page (store, win);

  page = open_page (two_dir, FALSE, 3, &store, &win);
  wait_for (page, "profile");
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 3);
  close_page (store, win);
  page = open_page (two_dir, FALSE, 2, &store, &win);
  wait_for (page, "mlp");
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 2);
  close_page (store, win);
}

/* One graph (lumen-train's runs): no drop-down, the Profile pane keeps it. */
static void
test_page_one_graph (void)
{
  LmRunStore *store;
  GtkWidget *win;
  LmGraphPage *page;

  if (lm_ui_test_no_display ())
    return;
  page = open_page (one_dir, TRUE, -1, &store, &win);
  wait_for (page, "mlp");
  g_assert_false (gtk_widget_get_visible (lm_graph_page_get_graph_drop (page)));
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 2);
  close_page (store, win);
}

static guint
n_items (GtkWidget *drop)
{
  return g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (drop)));
}

/* Iterates until drop lists n items (20 s at most). */
static void
wait_items (GtkWidget *drop, guint n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (n_items (drop) != n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_items (drop), ==, n);
}

/* Iterates until the page shows a trace of `step` (20 s at most). */
static void
wait_trace (LmGraphPage *page, gint64 step)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  const LmTraceData *t = NULL;

  while (g_get_monotonic_time () < end
         && ((t = lm_graph_view_get_trace (lm_graph_page_get_view (page))) == NULL || t->step != step
             || !lm_graph_page_is_settled (page)))
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (t);
  g_assert_cmpint (t->step, ==, step);
}

/* A run written to while the page is open: its first graph and its first
 * trace show; a torch.profiler graph that --follow imports, then another
 * trace, join the drop-downs live, the shown graph and trace staying
 * chosen. */
static void
test_page_live (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "live", NULL);
  LmRunStore *store;
  GtkWidget *win, *drop, *traces;
  LmGraphPage *page;
  lm_writer *w = NULL;
  int64_t gid;

  if (lm_ui_test_no_display ())
    return;
  g_assert_cmpint (lm_writer_open (&w, dir, "run"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 1, 0.5), ==, LM_OK);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  page = open_page (dir, FALSE, -1, &store, &win);
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while ((!lm_graph_page_is_settled (page) || g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
           && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_null (lm_graph_view_get_graph (lm_graph_page_get_view (page)));

  /* the graph, then its first trace */
  gid = add_model (w);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_for (page, "mlp");
  drop = lm_graph_page_get_graph_drop (page);
  traces = lm_graph_page_get_trace_drop (page);
  g_assert_cmpstr (drop_item (traces, 0), ==, "no traces");
  add_model_trace (w, gid, 2);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_trace (page, 2);
  g_assert_cmpstr (drop_item (traces, 0), ==, "trace: step 2");
  g_assert_false (gtk_widget_get_visible (drop));

  add_profile (w);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_items (drop, 2);
  g_assert_true (gtk_widget_get_visible (drop));
  g_assert_cmpstr (drop_item (drop, 1), ==, "Graph: profile · step 3 · 1 trace, profiled");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (drop)), ==, 0);
  g_assert_true (shows (page, "mlp"));

  add_model_trace (w, gid, 5);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_items (traces, 2);
  g_assert_cmpstr (drop_item (traces, 1), ==, "trace: step 5");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (traces)), ==, 0);
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 2);
  g_assert_cmpstr (drop_item (drop, 0), ==, "Graph: mlp · step 0 · 2 traces");

  /* the new entry is a choice like the others */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), 1);
  wait_for (page, "profile");
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 3);
  lm_writer_close (w);
  close_page (store, win);
}

/* A run "run" in dir with add_model's graph (its id in *gid), written to
 * while a page is open. */
static lm_writer *
open_model_run (const char *dir, int64_t *gid)
{
  lm_writer *w = NULL;

  g_assert_cmpint (lm_writer_open (&w, dir, "run"), ==, LM_OK);
  *gid = add_model (w);
  return w;
}

/* The items-changed of a drop-down's list: how many, and the last one. */
typedef struct
{
  guint n, position, removed, added;
} Changes;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Changes *c)
{
  c->n++;
  c->position = position;
  c->removed = removed;
  c->added = added;
}

/* Hundreds of traced steps (lumen-train --trace-every), one chosen that
 * is not the default: a step written while the page is open is added at
 * the end of the trace drop-down, whose other entries stay as they are
 * (an open list keeps its place and its choice), and the Graph
 * drop-down changes only the entry whose count changed. */
static void
test_page_live_many (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "many", NULL);
  LmRunStore *store;
  GtkWidget *win, *drop, *traces;
  GListModel *names, *graph_names;
  LmGraphPage *page;
  Changes tc = { 0 }, gc = { 0 };
  lm_writer *w;
  int64_t gid;

  if (lm_ui_test_no_display ())
    return;
  w = open_model_run (dir, &gid);
  for (gint64 step = 10; step <= 3000; step += 10)
    add_model_trace (w, gid, step);
  add_profile (w);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  page = open_page (dir, FALSE, -1, &store, &win);
  wait_for (page, "mlp");
  traces = lm_graph_page_get_trace_drop (page);
  drop = lm_graph_page_get_graph_drop (page);
  wait_items (traces, 300);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (traces), 120);
  wait_trace (page, 1210);
  names = gtk_drop_down_get_model (GTK_DROP_DOWN (traces));
  graph_names = gtk_drop_down_get_model (GTK_DROP_DOWN (drop));
  g_signal_connect (names, "items-changed", G_CALLBACK (on_items_changed), &tc);
  g_signal_connect (graph_names, "items-changed", G_CALLBACK (on_items_changed), &gc);

  add_model_trace (w, gid, 3010);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_items (traces, 301);
  g_assert_cmpstr (drop_item (traces, 300), ==, "trace: step 3010");
  g_assert_cmpuint (tc.n, ==, 1);
  g_assert_cmpuint (tc.position, ==, 300);
  g_assert_cmpuint (tc.removed, ==, 0);
  g_assert_cmpuint (tc.added, ==, 1);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (traces)), ==, 120);
  g_assert_cmpint (lm_graph_view_get_trace (lm_graph_page_get_view (page))->step, ==, 1210);
  g_assert_cmpuint (gc.n, ==, 1);
  g_assert_cmpuint (gc.position, ==, 0);
  g_assert_cmpuint (gc.removed, ==, 1);
  g_assert_cmpuint (gc.added, ==, 1);
  g_assert_cmpstr (drop_item (drop, 0), ==, "Graph: mlp · step 0 · 301 traces");
  g_assert_cmpstr (drop_item (drop, 1), ==, "Graph: profile · step 3 · 1 trace, profiled");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (drop)), ==, 0);
  g_signal_handlers_disconnect_by_data (names, &tc);
  g_signal_handlers_disconnect_by_data (graph_names, &gc);
  lm_writer_close (w);
  close_page (store, win);
}

static void
count_reads (LmRunStore *store, LmRun *run, guint *n)
{
  (*n)++;
}

/* The run's file read while the page loads a trace (the one picked in
 * the trace drop-down): the step it brought joins the drop-down once the
 * load is done, where it waited for the next change of the file (none,
 * when lumen-train had finished). */
static void
test_page_live_during_load (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "during", NULL);
  g_autoptr (LmRun) run = NULL;
  LmRunStore *store;
  GtkWidget *win, *traces;
  LmGraphPage *page;
  lm_writer *w;
  guint reads = 0;
  int64_t gid;

  if (lm_ui_test_no_display ())
    return;
  w = open_model_run (dir, &gid);
  add_model_trace (w, gid, 2);
  add_model_trace (w, gid, 4);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  page = open_page (dir, FALSE, -1, &store, &win);
  wait_for (page, "mlp");
  traces = lm_graph_page_get_trace_drop (page);
  wait_trace (page, 4);
  wait_items (traces, 2);
  run = g_list_model_get_item (G_LIST_MODEL (store), 0);

  /* step 6 written and read while the page does not hear of it (nor of
   * any later read, so that only this one can bring it)... */
  g_signal_handlers_block_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, page);
  g_signal_connect (store, "run-file-read", G_CALLBACK (count_reads), &reads);
  add_model_trace (w, gid, 6);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (reads == 0 && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (reads, >, 0);
  g_signal_handlers_disconnect_by_func (store, count_reads, &reads);
  /* ... until that read reaches it while it loads the step picked */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (traces), 0);
  g_signal_handlers_unblock_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, page);
  g_signal_emit_by_name (store, "run-file-read", run);
  g_signal_handlers_block_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, page);
  wait_items (traces, 3);
  g_assert_cmpstr (drop_item (traces, 2), ==, "trace: step 6");
  wait_trace (page, 2);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (traces)), ==, 0);
  g_signal_handlers_unblock_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, page);
  lm_writer_close (w);
  close_page (store, win);
}

/* Two steps traced in one commit of a run whose graph is shown without
 * a trace: the newest opens, and the trace drop-down says so (it said
 * the first, and picking that one did nothing). */
static void
test_page_live_two_at_once (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "two-at-once", NULL);
  LmRunStore *store;
  GtkWidget *win, *traces;
  LmGraphPage *page;
  lm_writer *w;
  int64_t gid;

  if (lm_ui_test_no_display ())
    return;
  w = open_model_run (dir, &gid);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  page = open_page (dir, FALSE, -1, &store, &win);
  wait_for (page, "mlp");
  traces = lm_graph_page_get_trace_drop (page);
  g_assert_cmpstr (drop_item (traces, 0), ==, "no traces");

  add_model_trace (w, gid, 2);
  add_model_trace (w, gid, 5);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  wait_trace (page, 5);
  g_assert_cmpuint (n_items (traces), ==, 2);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (traces)), ==, 1);
  g_assert_cmpstr (drop_item (traces, 1), ==, "trace: step 5");
  /* the other one is a choice */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (traces), 0);
  wait_trace (page, 2);
  lm_writer_close (w);
  close_page (store, win);
}

int
main (int argc, char **argv)
{
  int rc;

  lm_ui_test_init (&argc, &argv);
  tmpdir = g_dir_make_tmp ("lumen-graph-select-XXXXXX", NULL);
  two_dir = g_build_filename (tmpdir, "two", NULL);
  one_dir = g_build_filename (tmpdir, "one", NULL);
  write_run (two_dir, FALSE);
  write_run (one_dir, TRUE);
  {
    lm_writer *w = NULL;
    g_assert_cmpint (lm_writer_open (&w, two_dir, "plain"), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_scalar (w, "loss", 1, 0.5), ==, LM_OK);
    lm_writer_close (w);
  }
  g_test_add_func ("/trace/graph-select/choose", test_choose);
  g_test_add_func ("/trace/graph-select/page-switch", test_page_switch);
  g_test_add_func ("/trace/graph-select/page-profile", test_page_profile);
  g_test_add_func ("/trace/graph-select/page-one-graph", test_page_one_graph);
  g_test_add_func ("/trace/graph-select/page-live", test_page_live);
  g_test_add_func ("/trace/graph-select/page-live-many", test_page_live_many);
  g_test_add_func ("/trace/graph-select/page-live-two-at-once", test_page_live_two_at_once);
  g_test_add_func ("/trace/graph-select/page-live-during-load", test_page_live_during_load);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (two_dir);
  g_free (one_dir);
  g_free (tmpdir);
  return rc;
}
