/* test-debugger-trace.c: what the debugger says about a trace, on run files
 * written by the engine's tracer (lm_train_tracer) and then damaged by hand
 * with SQL, as a crash, a bad disk or an editing user would.
 *
 * - The first NaN/Inf in backward is named by the op whose backward
 *   returned it (PyTorch's anomaly mode: "Function 'SqrtBackward0' returned
 *   nan values in its 0th output"), not by the op that received it; the
 *   data layer, the debugger pane and lumen-train's "--op K" agree.
 * - A values blob that does not hold numel float32s is reported as damaged
 *   (op, tensor, expected and found bytes) with the stored statistics, not
 *   as values left out for size.
 * - Events missing from the middle of a trace keep their stored numbers
 *   (op K stays op K) and the debugger says which are missing.
 *
 * The data-layer checks run without a display; the pane's (widget text) and
 * the app's (`lumen --view debugger --screenshot`, pixels) skip without one.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-debugger-pane.h"
#include "lm-graph-data.h"
#include "lm-graph-view.h"
#include "lm-tensor-view.h"
#include "lm-train-trace.h"
#include "lumen-engine.h"
#include "lumen-log.h"
#include "train-fixture.h"
#include "widget-pixels.h"

static char *tmpdir;
static gboolean have_display;

typedef enum { SQRT_ABS, ABS_SQRT_MUL, SUMMED } graph_case;

typedef struct
{
  char *path;       /* the run file */
  gint64 msg_op;    /* the op lumen-train's message names (--op K) */
  char *msg;        /* lm_tracer_describe_anomaly */
} traced_run;

/* x = [0, 4] (a leaf that requires grad), loss = sum(f(x)), traced and
 * written as lumen-train does, as run `name` of logdir `dir`. */
static traced_run
write_run (const char *dir, const char *name, graph_case c)
{
  traced_run r = { 0 };
  lm_writer *w = NULL;
  char msg[512];

  g_assert_cmpint (lm_writer_open (&w, dir, name), ==, LM_OK);
  lm_train_tracer *tt = lm_train_tracer_new (w, NULL, LM_TRACER_DEFAULT_VALUES_CAP);
  lm_tracer *rec = lm_train_tracer_recorder (tt);
  lm_tracer_attach (rec);
  lm_tracer_reset (rec, 1);
  lm_scope_begin ();
  float xv[] = { 0, 4 };
  lm_tensor *x = lm_tensor_from_data (xv, LM_SHAPE (2));
  lm_tensor_set_requires_grad (x, true);
  lm_tensor_set_name (x, "x");
  lm_tensor *y = NULL, *a;
  switch (c)
    {
    case SQRT_ABS:
      y = lm_sqrt (lm_abs (x));
      break;
    case ABS_SQRT_MUL:
      y = lm_abs (lm_sqrt (lm_mul_scalar (x, 1)));
      break;
    case SUMMED:
      a = lm_mul_scalar (x, 1);
      y = lm_add (lm_sqrt (a), lm_mul_scalar (a, 3));
      break;
    }
  lm_tensor *loss = lm_sum (y);
  lm_backward (loss, NULL, false);
  g_assert_cmpint (lm_train_tracer_write (tt, loss, NULL), ==, LM_OK);
  g_assert_cmpint (lm_tracer_anomaly (rec), >=, 0);
  r.msg_op = lm_tracer_anomaly (rec) + 1;
  lm_tracer_describe_anomaly (rec, msg, sizeof msg);
  r.msg = g_strdup (msg);
  lm_scope_end ();
  lm_train_tracer_free (tt);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  r.path = g_build_filename (dir, name, "run.lumen", NULL);
  return r;
}

static void
run_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *err = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
  sqlite3_close (db);
}

static LmGraphData *
load_graph (const char *path)
{
  char *error = NULL;
  LmGraphData *g = lm_graph_data_load (path, -1, &error);

  g_assert_null (error);
  g_assert_nonnull (g);
  return g;
}

static LmTraceData *
load_trace (const char *path, gboolean with_values)
{
  char *error = NULL;
  LmTraceData *t = lm_trace_data_load (path, 1, with_values, &error);

  g_assert_null (error);
  g_assert_nonnull (t);
  return t;
}

static const char *
op_of (const LmGraphData *g, const LmTraceData *t, gssize i)
{
  gssize k = lm_graph_data_find (g, t->events[i].node_id);

  g_assert_cmpint (k, >=, 0);
  return g->nodes[k].op;
}

/* ---- 1. the op that made it ---- */

/* torch 1.13, x = torch.tensor([0., 4.], requires_grad=True) under
 * torch.autograd.detect_anomaly():
 *   sqrt(abs(x)).sum().backward()
 *     Function 'AbsBackward0' returned nan values in its 0th output.
 *   abs(sqrt(x * 1)).sum().backward()
 *     Function 'SqrtBackward0' returned nan values in its 0th output.
 * PyTorch looks for NaN only; the first NaN here names the same function.
 * The first Inf of sqrt(abs(x)) is sqrt's gradient 1/(2·sqrt(0)), which
 * abs receives (and turns into NaN): sqrt made it. Before the fix both
 * were named by the receiving op (abs, mul_scalar). */
static void
test_producer (void)
{
  struct {
    graph_case c;
    const char *first_nan, *first_inf, *first_any, *seen_any;
  } cases[] = {
    { SQRT_ABS, "abs", "sqrt", "sqrt", "abs" },
    { ABS_SQRT_MUL, "sqrt", NULL, "sqrt", "mul_scalar" },
  };

  for (guint n = 0; n < G_N_ELEMENTS (cases); n++)
    {
      g_autofree char *dir = g_build_filename (tmpdir, "producer", NULL);
      g_autofree char *name = g_strdup_printf ("case%u", n);
      traced_run r = write_run (dir, name, cases[n].c);
      g_autoptr (LmGraphData) g = load_graph (r.path);
      g_autoptr (LmTraceData) t = load_trace (r.path, TRUE);
      LmTraceAnomaly a;

      g_test_message ("%s", r.msg);
      g_assert_true (lm_trace_data_first_anomaly (t, g, LM_TRACE_NAN, &a));
      g_assert_cmpstr (op_of (g, t, a.event), ==, cases[n].first_nan);
      g_assert_true (t->events[a.event].backward);
      g_assert_cmpint (a.input, ==, 0);
      g_assert_cmpint (a.seen_at, >, a.event);
      g_assert_cmpint (t->events[a.seen_at].nan_count, >, 0);
      g_assert_cmpint (lm_trace_data_first_anomaly (t, g, LM_TRACE_INF, &a), ==, cases[n].first_inf != NULL);
      if (cases[n].first_inf)
        g_assert_cmpstr (op_of (g, t, a.event), ==, cases[n].first_inf);
      g_assert_true (lm_trace_data_first_anomaly (t, g, LM_TRACE_NONFINITE, &a));
      g_assert_cmpstr (op_of (g, t, a.event), ==, cases[n].first_any);
      g_assert_cmpstr (op_of (g, t, a.seen_at), ==, cases[n].seen_any);
      g_assert_cmpuint (a.n_producers, ==, 1);
      /* the producing op's own incoming gradient is finite */
      g_assert_cmpint (t->events[a.event].nan_count + t->events[a.event].inf_count, ==, 0);
      /* lumen-train's "--op K" is the same op, named the same way */
      g_assert_cmpint (t->events[a.event].seq + 1, ==, r.msg_op);
      g_assert_nonnull (strstr (r.msg, "Function 'SqrtBackward0' returned"));
      /* without a graph nothing can be traced back: named where seen */
      g_assert_true (lm_trace_data_first_anomaly (t, NULL, LM_TRACE_NONFINITE, &a));
      g_assert_cmpint (a.event, ==, a.seen_at);
      g_free (r.path);
      g_free (r.msg);
    }
}

/* a = x * 1 feeds sqrt and a * 3, whose gradients are summed into a's.
 * The engine saw sqrt's backward return the Inf; the run file holds only
 * the sum, so the debugger names the last of the two to run and says that
 * another op's gradient was summed in. */
static void
test_producer_summed (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "producer", NULL);
  traced_run r = write_run (dir, "summed", SUMMED);
  g_autoptr (LmGraphData) g = load_graph (r.path);
  g_autoptr (LmTraceData) t = load_trace (r.path, FALSE);
  LmTraceAnomaly a;

  g_test_message ("%s", r.msg);
  g_assert_true (lm_trace_data_first_anomaly (t, g, LM_TRACE_NONFINITE, &a));
  g_assert_cmpstr (op_of (g, t, a.seen_at), ==, "mul_scalar");
  g_assert_cmpuint (a.n_producers, ==, 2);
  /* one of a's two consumers (sqrt, a * 3), the later to run */
  g_assert_true (t->events[a.event].backward);
  g_assert_cmpint (a.event, <, a.seen_at);
  g_assert_cmpint (a.input, ==, 0);
  g_assert_true (g_strcmp0 (op_of (g, t, a.event), "sqrt") == 0
                 || g_strcmp0 (op_of (g, t, a.event), "mul_scalar") == 0);
  for (gssize j = a.event + 1; j < a.seen_at; j++)
    g_assert_cmpint (lm_graph_data_find (g, t->events[j].node_id), >=, 0);
  g_assert_nonnull (strstr (r.msg, "Function 'SqrtBackward0' returned inf values in its 0th output"));
  g_free (r.path);
  g_free (r.msg);
}

/* ---- 2. a damaged values blob ---- */

static traced_run damaged;

static void
test_damaged_values (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "damaged", NULL);

  damaged = write_run (dir, "cut", SQRT_ABS);
  g_autoptr (LmTraceData) before = load_trace (damaged.path, TRUE);
  /* op 2 (forward sqrt, [0, 2]): its 8 bytes cut to 5 */
  run_sql (damaged.path, "UPDATE trace_events SET vals = substr(vals, 1, 5) WHERE seq = 1");
  g_autoptr (LmTraceData) t = load_trace (damaged.path, TRUE);
  const LmTraceDataEvent *e = &t->events[1];

  g_assert_cmpuint (t->n_events, ==, before->n_events);
  g_assert_true (e->values_damaged);
  g_assert_null (e->values);
  g_assert_cmpint (e->values_bytes, ==, 5);
  /* the statistics stay the stored ones */
  g_assert_cmpfloat (e->min, ==, 0);
  g_assert_cmpfloat (e->max, ==, 2);
  g_assert_cmpfloat (e->mean, ==, 1);
  g_assert_cmpint (e->zero_count, ==, 1);
  g_autofree char *text = lm_trace_data_damage_text (e);
  g_assert_cmpstr (text, ==, "values damaged: expected 8 bytes (2 float32), found 5");
  /* the others are untouched; without values loaded the damage still shows */
  g_assert_false (t->events[0].values_damaged);
  g_assert_nonnull (t->events[0].values);
  g_assert_cmpint (t->events[0].values_bytes, ==, 8);
  g_autoptr (LmTraceData) light = load_trace (damaged.path, FALSE);
  g_assert_true (light->events[1].values_damaged);
  g_assert_false (light->events[0].values_damaged);
  /* a blob with the right size but a shape that does not match numel */
  run_sql (damaged.path, "UPDATE trace_events SET shape = '[3]' WHERE seq = 0");
  g_autoptr (LmTraceData) bad_shape = load_trace (damaged.path, TRUE);
  g_assert_true (bad_shape->events[0].values_damaged);
  g_assert_null (bad_shape->events[0].values);
  g_autofree char *t2 = lm_trace_data_damage_text (&bad_shape->events[0]);
  g_assert_nonnull (strstr (t2, "the shape holds 3 values but numel is 2"));
  run_sql (damaged.path, "UPDATE trace_events SET shape = '[2]' WHERE seq = 0");
  /* a NULL blob is values left out for size, not damage */
  run_sql (damaged.path, "UPDATE trace_events SET vals = NULL WHERE seq = 2");
  g_autoptr (LmTraceData) capped = load_trace (damaged.path, TRUE);
  g_assert_false (capped->events[2].values_damaged);
  g_assert_cmpint (capped->events[2].values_bytes, ==, -1);
  g_assert_null (lm_trace_data_damage_text (&capped->events[2]));
}

/* ---- 3. missing events ---- */

static traced_run gappy;

static void
test_missing_events (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "missing", NULL);

  gappy = write_run (dir, "gap", SQRT_ABS);
  g_autoptr (LmTraceData) full = load_trace (gappy.path, FALSE);
  g_assert_cmpint (full->n_ops, ==, (gint64) full->n_events);
  g_assert_cmpint (full->n_missing, ==, 0);
  g_assert_null (lm_trace_data_missing_text (full));
  /* ops 3 and 4 (seq 2, 3: forward sum, backward sum) gone */
  run_sql (gappy.path, "DELETE FROM trace_events WHERE seq IN (2, 3)");
  g_autoptr (LmTraceData) t = load_trace (gappy.path, FALSE);
  g_assert_cmpuint (t->n_events, ==, full->n_events - 2);
  g_assert_cmpint (t->n_ops, ==, (gint64) full->n_events);
  g_assert_cmpint (t->n_missing, ==, 2);
  g_assert_cmpint (t->events[2].seq, ==, 4);
  g_assert_cmpint (lm_trace_data_find_seq (t, 4), ==, 2);
  g_assert_cmpint (lm_trace_data_find_seq (t, 2), ==, -1);
  g_assert_cmpint (lm_trace_data_find_seq (t, 99), ==, -1);
  g_autofree char *text = lm_trace_data_missing_text (t);
  g_assert_cmpstr (text, ==, "2 ops missing from this trace (ops 3–4)");
  /* the anomaly keeps the number lumen-train's message gave it */
  g_autoptr (LmGraphData) g = load_graph (gappy.path);
  LmTraceAnomaly a;
  g_assert_true (lm_trace_data_first_anomaly (t, g, LM_TRACE_NONFINITE, &a));
  g_assert_cmpint (t->events[a.event].seq + 1, ==, gappy.msg_op);

  /* the first op too, and two more ranges */
  run_sql (gappy.path, "DELETE FROM trace_events WHERE seq IN (0, 5)");
  g_autoptr (LmTraceData) t2 = load_trace (gappy.path, FALSE);
  g_autofree char *text2 = lm_trace_data_missing_text (t2);
  g_assert_cmpstr (text2, ==, "4 ops missing from this trace (ops 1, 3–4, 6)");
}

/* ---- the debugger pane ---- */

static gboolean
laid_out (gpointer v)
{
  return lm_graph_view_is_laid_out (v) && gtk_widget_get_width (v) > 0;
}

typedef struct
{
  GtkWidget *win, *view, *pane;
} Shown;

static Shown
show (const char *path)
{
  Shown s;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  s.win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (s.win), 1000, 800);
  s.view = lm_graph_view_new ();
  gtk_widget_set_hexpand (s.view, TRUE);
  gtk_box_append (GTK_BOX (box), s.view);
  gtk_window_set_child (GTK_WINDOW (s.win), box);
  lm_graph_view_set_graph (LM_GRAPH_VIEW (s.view), load_graph (path));
  lm_graph_view_set_trace (LM_GRAPH_VIEW (s.view), load_trace (path, TRUE));
  s.pane = lm_debugger_pane_new (LM_GRAPH_VIEW (s.view));
  gtk_box_append (GTK_BOX (box), s.pane);
  gtk_window_present (GTK_WINDOW (s.win));
  while (!laid_out (s.view) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (laid_out (s.view));
  return s;
}

/* sqrt(abs(x)) traced into logdir tmpdir/sub and shown in a window with
 * a debugger pane; FALSE (the test skipped) without a display. */
static gboolean
show_sqrt_abs (const char *sub, traced_run *r, Shown *s)
{
  g_autofree char *dir = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return FALSE;
    }
  dir = g_build_filename (tmpdir, sub, NULL);
  *r = write_run (dir, "sqrt-abs", SQRT_ABS);
  *s = show (r->path);
  return TRUE;
}

static void
unshow (Shown *s, traced_run *r)
{
  gtk_window_destroy (GTK_WINDOW (s->win));
  g_free (r->path);
  g_free (r->msg);
}

static void
test_pane (void)
{
  traced_run r;
  Shown s;

  if (!show_sqrt_abs ("pane", &r, &s))
    return;
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);

  /* opens on sqrt's backward (op 5), the op lumen-train names, not abs's */
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, r.msg_op - 1);
  g_assert_nonnull (strstr (lm_debugger_pane_get_position_text (dp), "op 5 of 7 · backward · sqrt"));
  g_assert_nonnull (strstr (lm_debugger_pane_get_inspector_text (dp),
                            "Its backward returned Inf in the gradient for input 0 (abs, op 6)"));
  g_autofree char *alerts = lm_debugger_pane_get_alerts_text (dp);
  g_test_message ("%s", alerts);
  g_assert_nonnull (strstr (alerts, "first NaN: op 6, backward abs returned it for input 0 (input, op 7)"));
  g_assert_nonnull (strstr (alerts, "first Inf: op 5, backward sqrt returned it for input 0 (abs, op 6)"));
  g_autofree char *row = lm_debugger_pane_get_row_text (dp, 4);
  g_assert_nonnull (strstr (row, "returned Inf"));
  g_assert_null (lm_debugger_pane_get_notice (dp));
  /* "run to any NaN/Inf" stops at the op that returned them too */
  lm_debugger_pane_set_current (dp, 0);
  g_assert_true (lm_debugger_pane_run_to (dp, LM_BREAK_ANOMALY));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 4);
  /* "First anomaly" comes back to it, and the graph selects sqrt's node */
  lm_debugger_pane_set_current (dp, 0);
  g_assert_true (lm_debugger_pane_first_anomaly (dp));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 4);
  const LmTraceData *t = lm_graph_view_get_trace (LM_GRAPH_VIEW (s.view));
  g_assert_cmpint (lm_graph_view_get_selected (LM_GRAPH_VIEW (s.view)), ==, t->events[4].node_id);
  unshow (&s, &r);
}

/* Label of the i-th button in the pane's inputs or consumers; NULL past
 * the last. */
static const char *
link_text (LmDebuggerPane *dp, gboolean consumers, guint i, GtkWidget **button)
{
  GtkWidget *c = gtk_widget_get_first_child (lm_debugger_pane_get_links (dp, consumers));

  for (; c && i > 0; i--)
    c = gtk_widget_get_next_sibling (c);
  if (c == NULL || !GTK_IS_BUTTON (c))
    return NULL;
  if (button)
    *button = c;
  return gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (c))));
}

/* Debugger V2's graph structure: the current op's inputs and consumers,
 * each a button to that node's op in the same pass; I and C follow the
 * one holding a NaN/Inf.  sqrt(abs(x)): ops 1-3 forward abs, sqrt, sum;
 * 4-7 backward sum, sqrt, abs, x. */
static void
test_pane_structure (void)
{
  traced_run r;
  Shown s;

  if (!show_sqrt_abs ("structure", &r, &s))
    return;
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);
  GtkWidget *b = NULL;

  /* forward sqrt (op 2): made from abs (op 1), used by sum (op 3) */
  g_assert_true (lm_debugger_pane_set_current_op (dp, 2));
  g_assert_nonnull (strstr (lm_debugger_pane_get_position_text (dp), "forward · sqrt"));
  g_test_message ("inputs: %s; consumers: %s", link_text (dp, FALSE, 0, NULL), link_text (dp, TRUE, 0, NULL));
  g_assert_true (g_str_has_prefix (link_text (dp, FALSE, 0, &b), "0: abs"));
  g_assert_null (link_text (dp, FALSE, 1, NULL));
  g_assert_true (g_str_has_prefix (link_text (dp, TRUE, 0, NULL), "sum"));
  g_assert_nonnull (strstr (link_text (dp, TRUE, 0, NULL), "(its input 0)"));
  g_signal_emit_by_name (b, "clicked");
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 0);
  /* abs's input is x, a leaf: no forward op, its gradient's (op 7) instead */
  g_assert_true (g_str_has_prefix (link_text (dp, FALSE, 0, &b), "0: input"));
  g_assert_nonnull (strstr (link_text (dp, FALSE, 0, NULL), "NaN"));
  g_assert_true (gtk_widget_get_sensitive (b));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (b), "op 7 (backward input)"));
  g_assert_true (lm_debugger_pane_follow (dp, TRUE));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 1);

  /* backward sqrt (op 5) returned the Inf abs's backward (op 6) got: its
   * input's op is where the gradient goes next, with the Inf badge */
  g_assert_true (lm_debugger_pane_set_current_op (dp, 5));
  g_assert_true (g_str_has_prefix (link_text (dp, FALSE, 0, NULL), "0: abs"));
  g_assert_nonnull (strstr (link_text (dp, FALSE, 0, NULL), "Inf"));
  g_assert_true (lm_debugger_pane_follow (dp, FALSE));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 5);
  /* and back up: abs's consumer is sqrt, whose backward ran before */
  g_assert_true (lm_debugger_pane_follow (dp, TRUE));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 4);
  g_assert_true (lm_debugger_pane_follow (dp, TRUE));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 3);
  /* the loss: no consumer */
  g_assert_null (link_text (dp, TRUE, 0, NULL));
  g_assert_false (lm_debugger_pane_follow (dp, TRUE));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 3);
  unshow (&s, &r);
}

/* Debugger V2's execution timeline: sqrt(abs(x))'s 7 ops in one strip,
 * forward blue, backward orange, the ops holding or returning a NaN/Inf
 * (5, 6, 7) red; the current one outlined; a click goes to an op. */
static void
test_pane_timeline (void)
{
  traced_run r;
  Shown s;

  if (!show_sqrt_abs ("timeline", &r, &s))
    return;
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);
  GtkWidget *tl = lm_debugger_pane_get_timeline (dp);
  int w, h;
  gsize stride;

  lm_debugger_pane_set_current (dp, 0);
  g_autofree guchar *buf = widget_pixels_render (tl, &w, &h, &stride);
  double slot = (double) w / 7;
  g_assert_cmpint (w, >, 100);
  for (int i = 0; i < 7; i++)
    {
      int x = (int) ((i + 0.5) * slot), y = h / 2;
      g_test_message ("op %d at x %d", i + 1, x);
      if (i < 3)
        g_assert_true (widget_pixels_near (buf, stride, x, y, 0.25, 0.45, 0.8, 0.03));
      else if (i == 3)
        g_assert_true (widget_pixels_near (buf, stride, x, y, 0.93, 0.55, 0.18, 0.03));
      else
        g_assert_true (widget_pixels_near (buf, stride, x, y, 0.85, 0.1, 0.1, 0.03));
    }
  /* op 1 is outlined (dark), op 2's edge is not */
  g_assert_true (widget_pixels_near (buf, stride, (int) slot / 2, 1, 0.1, 0.1, 0.1, 0.12));
  g_assert_false (widget_pixels_near (buf, stride, (int) (1.5 * slot), 1, 0.1, 0.1, 0.1, 0.12));

  /* a click on op 6 goes there */
  GListModel *ctl = gtk_widget_observe_controllers (tl);
  GtkEventController *click = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (ctl) && click == NULL; i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (ctl, i);
      if (GTK_IS_GESTURE_CLICK (c))
        click = c;
    }
  g_object_unref (ctl);
  g_assert_nonnull (click);
  g_signal_emit_by_name (click, "pressed", 1, 5.5 * slot, (double) h / 2);
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 5);
  unshow (&s, &r);
}

/* A big model's trace: every non-leaf op of a synthetic network forward,
 * then backward in reverse, one NaN at `nan_at` (-1: none). */
static LmTraceData *
big_trace (const LmGraphData *g, gssize nan_at)
{
  LmTraceData *t = g_new0 (LmTraceData, 1);
  GArray *ops = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (gsize k = 0; k < g->n_nodes; k++)
    if (g_strcmp0 (g->nodes[k].op, "parameter") != 0 && g_strcmp0 (g->nodes[k].op, "input") != 0)
      g_array_append_val (ops, g->nodes[k].id);
  t->n_events = 2 * ops->len;
  t->n_ops = (gint64) t->n_events;
  t->graph_id = g->id;
  t->events = g_new0 (LmTraceDataEvent, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      LmTraceDataEvent *e = &t->events[i];

      e->seq = (gint64) i;
      e->backward = i >= ops->len;
      e->node_id = g_array_index (ops, gint64, e->backward ? t->n_events - 1 - i : i);
      e->ndim = 1;
      e->shape[0] = e->numel = 4;
      e->values_bytes = -1;
      e->start_ns = e->dur_ns = e->alloc_bytes = e->free_bytes = e->mem_after = e->mem_peak = -1;
      e->nan_count = (gssize) i == nan_at;
    }
  g_array_unref (ops);
  return t;
}

static guint
count_labels (GtkWidget *w)
{
  guint n = GTK_IS_LABEL (w);

  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    n += count_labels (c);
  return n;
}

/* The pane's last list view: the execution list (the run-to drop-down's
 * popover has one too, before it). */
static GtkWidget *
find_of_type (GtkWidget *w, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
    return w;
  for (GtkWidget *c = gtk_widget_get_last_child (w); c; c = gtk_widget_get_prev_sibling (c))
    {
      GtkWidget *f = find_of_type (c, type);
      if (f)
        return f;
    }
  return NULL;
}

/* A big model's step, 12,000 events: the execution list makes widgets for
 * the rows on screen only (a GtkListBox made 12,000 and snapshotted them
 * all at every step: 24,000 events took 170 ms a step, 2.3 s to show),
 * opens scrolled to the NaN in the middle, and the rows' text is there. */
static void
test_pane_big (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  GtkWidget *win = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *view = lm_graph_view_new ();
  LmGraphData *g = graph_fixture_synthetic (6000);
  LmTraceData *t = big_trace (g, -1);
  gssize nan_at = (gssize) t->n_events / 2 - 5;   /* a forward op near the loss */

  t->events[nan_at].nan_count = 1;

  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 800);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_box_append (GTK_BOX (box), view);
  gtk_window_set_child (GTK_WINDOW (win), box);
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), t);
  gint64 t0 = g_get_monotonic_time ();
  GtkWidget *pane = lm_debugger_pane_new (LM_GRAPH_VIEW (view));
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (pane);
  GtkWidget *list = find_of_type (pane, GTK_TYPE_LIST_VIEW);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  gtk_box_append (GTK_BOX (box), pane);
  gtk_window_present (GTK_WINDOW (win));
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       gtk_adjustment_get_value (adj) <= 0 && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
  gint64 t1 = g_get_monotonic_time ();
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, nan_at);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >, 0);
  g_autofree char *row = lm_debugger_pane_get_row_text (dp, nan_at);
  g_assert_nonnull (strstr (row, "NaN"));
  g_autofree char *last = lm_debugger_pane_get_row_text (dp, t->n_events - 1);
  g_assert_nonnull (strstr (last, "◀"));
  g_assert_null (lm_debugger_pane_get_row_text (dp, t->n_events));
  /* stepping scrolls the list but leaves the keyboard focus where it is */
  g_assert_true (gtk_widget_grab_focus (view));
  for (int k = 0; k < 20; k++)
    {
      lm_debugger_pane_step (dp, 1);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  gint64 t2 = g_get_monotonic_time ();
  g_test_message ("%zu events: shown in %.0f ms, %.1f ms a step; %u row labels", t->n_events, (t1 - t0) / 1e3,
                  (t2 - t1) / 20e3, count_labels (list));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, nan_at + 20);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (win)) == view);
  g_assert_cmpuint (count_labels (list), <, 300);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A graph without a trace (what the main command's run has) says how to
 * record one, not only that there is none. */
static void
test_pane_no_trace (void)
{
  traced_run r;
  Shown s;

  if (!show_sqrt_abs ("no-trace", &r, &s))
    return;
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);

  g_assert_nonnull (strstr (lm_debugger_pane_get_position_text (dp), "op 5 of 7"));
  /* as the graph page does when the run has no trace */
  lm_graph_view_set_trace (LM_GRAPH_VIEW (s.view), NULL);
  lm_debugger_pane_reload (dp);
  /* the options' hyphens carry word joiners (no line break after them) */
  g_auto (GStrv) parts = g_strsplit (lm_debugger_pane_get_position_text (dp), "\u2060", -1);
  g_autofree char *pos = g_strjoinv ("", parts);
  g_test_message ("%s", pos);
  g_assert_null (strstr (lm_debugger_pane_get_position_text (dp), "--"));
  g_assert_true (g_str_has_prefix (pos, "No trace for this graph."));
  g_assert_nonnull (strstr (pos, "lumen-train --trace-steps 1,100 or --trace-every N"));
  g_assert_nonnull (strstr (pos, "docs/traces.md"));
  unshow (&s, &r);
}

static void
test_pane_damaged (void)
{
  if (!have_display || damaged.path == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  Shown s = show (damaged.path);
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);

  lm_debugger_pane_set_current (dp, 1);
  const char *ins = lm_debugger_pane_get_inspector_text (dp);
  g_test_message ("%s", ins);
  g_assert_nonnull (strstr (ins, "Damaged values in the run file: op 2 (forward sqrt), output 2: "
                                 "expected 8 bytes (2 float32), found 5."));
  g_assert_nonnull (strstr (ins, "min 0   max 2\nmean 1   std 1.4142"));
  g_assert_null (strstr (ins, "cap"));
  g_autofree char *row = lm_debugger_pane_get_row_text (dp, 1);
  g_assert_nonnull (strstr (row, "damaged"));
  /* op 3's blob is NULL: that one is over the cap */
  lm_debugger_pane_set_current (dp, 2);
  g_assert_nonnull (strstr (lm_debugger_pane_get_inspector_text (dp), "over the trace's cap"));
  gtk_window_destroy (GTK_WINDOW (s.win));
}

/* A profiled step (lumen-train --profile-steps) keeps statistics only:
 * the pane says so, and how to keep values, rather than naming a cap the
 * user never set; one with values kept for some ops is over the cap. */
static void
test_pane_statistics_only (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = g_build_filename (tmpdir, "profiled", NULL);
  traced_run r = write_run (dir, "prof", SQRT_ABS);
  const char *keeps = "a profiled step keeps statistics only (lumen-train --trace-max-values N keeps values too)";

  run_sql (r.path, "UPDATE traces SET dur_ns = 5000; UPDATE trace_events SET vals = NULL WHERE seq > 0");
  for (int pass = 0; pass < 2; pass++)
    {
      Shown s = show (r.path);
      LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);
      GtkWidget *tv = find_of_type (s.pane, LM_TYPE_TENSOR_VIEW);

      g_assert_nonnull (tv);
      lm_debugger_pane_set_current (dp, 1);
      const char *ins = lm_debugger_pane_get_inspector_text (dp);
      const char *note = lm_tensor_view_get_missing_note (LM_TENSOR_VIEW (tv));
      if (pass == 0)
        {
          /* op 1's values are kept: op 2's are over the cap */
          g_assert_nonnull (strstr (ins, "over the trace's cap"));
          g_assert_null (strstr (ins, keeps));
          g_assert_nonnull (strstr (note, "over the trace's cap"));
          run_sql (r.path, "UPDATE trace_events SET vals = NULL");
        }
      else
        {
          g_assert_nonnull (strstr (ins, keeps));
          g_assert_null (strstr (ins, "cap)"));
          g_assert_nonnull (strstr (note, keeps));
        }
      gtk_window_destroy (GTK_WINDOW (s.win));
    }
  g_free (r.path);
  g_free (r.msg);
}

static void
test_pane_missing (void)
{
  if (!have_display || gappy.path == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  Shown s = show (gappy.path);
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (s.pane);

  g_assert_cmpstr (lm_debugger_pane_get_notice (dp), ==,
                   "⚠ 4 ops missing from this trace (ops 1, 3–4, 6): the run file lost them or they were "
                   "removed. Op numbers are the stored ones, as in lumen-train's messages.");
  /* op 5 is still op 5 (the third event left), as lumen-train's --op 5 */
  g_assert_true (lm_debugger_pane_set_current_op (dp, 5));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 1);
  g_assert_nonnull (strstr (lm_debugger_pane_get_position_text (dp), "op 5 of 7 · backward · sqrt"));
  g_autofree char *row = lm_debugger_pane_get_row_text (dp, 1);
  g_assert_nonnull (strstr (row, "  5  "));
  g_assert_false (lm_debugger_pane_set_current_op (dp, 3));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 1);
  gtk_window_destroy (GTK_WINDOW (s.win));
}

/* Pixels of the notice's colour (the theme's error red, #cc0000) in the
 * right half of `lumen --view debugger --step 1 --op OP` on logdir. */
static int
notice_pixels (const char *logdir, const char *op, const char *png)
{
  const char *argv[] = { LM_LUMEN_BIN, "--logdir", logdir, "--view", "debugger", "--step", "1", "--op", op,
                         "--window-size", "1400x900", "--screenshot", png, NULL };
  GError *error = NULL;
  int status = 0, w, h, n = 0;
  gsize stride;
  g_autofree char *err = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (err, "does not exist"));
  g_assert_null (strstr (err, "is missing"));
  g_autofree guchar *buf = widget_pixels_load (png, &w, &h, &stride);
  for (int y = 0; y < h; y++)
    for (int x = w / 2; x < w; x++)
      n += widget_pixels_near (buf, stride, x, y, 0.8, 0, 0, 0.03);
  g_test_message ("%s op %s: %dx%d, %d notice pixels", logdir, op, w, h, n);
  return n;
}

/* The app on the run with missing ops: the notice is on screen, and it is
 * not on the run that lost none (both on sqrt's forward op, finite, as are
 * its input's and its consumer's: nothing else in the pane is red). */
static void
test_app_screenshot (void)
{
  if (!have_display || gappy.path == NULL || damaged.path == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *gap_run = g_path_get_dirname (gappy.path);
  g_autofree char *gap_dir = g_path_get_dirname (gap_run);
  g_autofree char *cut_run = g_path_get_dirname (damaged.path);
  g_autofree char *cut_dir = g_path_get_dirname (cut_run);
  g_autofree char *png1 = g_build_filename (tmpdir, "missing.png", NULL);
  g_autofree char *png2 = g_build_filename (tmpdir, "complete.png", NULL);

  g_assert_cmpint (notice_pixels (gap_dir, "2", png1), >, 200);
  g_assert_cmpint (notice_pixels (cut_dir, "2", png2), <, 10);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  have_display = gtk_init_check ();
  tmpdir = g_dir_make_tmp ("lumen-debugger-trace-XXXXXX", NULL);
  g_test_add_func ("/trace/debugger-data/producer", test_producer);
  g_test_add_func ("/trace/debugger-data/producer-summed", test_producer_summed);
  g_test_add_func ("/trace/debugger-data/damaged-values", test_damaged_values);
  g_test_add_func ("/trace/debugger-data/missing-events", test_missing_events);
  g_test_add_func ("/trace/debugger/names-producer", test_pane);
  g_test_add_func ("/trace/debugger/graph-structure", test_pane_structure);
  g_test_add_func ("/trace/debugger/timeline", test_pane_timeline);
  g_test_add_func ("/trace/debugger/big-trace", test_pane_big);
  g_test_add_func ("/trace/debugger/damaged-values", test_pane_damaged);
  g_test_add_func ("/trace/debugger/statistics-only", test_pane_statistics_only);
  g_test_add_func ("/trace/debugger/no-trace-hint", test_pane_no_trace);
  g_test_add_func ("/trace/debugger/missing-events", test_pane_missing);
  g_test_add_func ("/trace/debugger/missing-events-screenshot", test_app_screenshot);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (damaged.path);
  g_free (damaged.msg);
  g_free (gappy.path);
  g_free (gappy.msg);
  return rc;
}
