/* lm-tb-profile.c: torch.profiler's Chrome traces (*.pt.trace.json, as
 * tensorboard_trace_handler writes them) as Lumen profiled steps.
 *
 * The files are read by data/lm-chrome-trace.c; here their steps become
 * what lumen-train --profile-steps logs: a graph whose nodes are the
 * files' distinct ops (by name and module), and per step a trace with one timed
 * event per op (start from the step's start, duration, input shapes,
 * memory), nested ops included, as the Profile pane takes them (its self
 * times subtract what is nested).  No tensor statistics: a Chrome trace
 * has none.
 * Not here: finding the files (lm-tb-import.c).
 */
#include "lm-tb-import-private.h"

#include <math.h>

static gint64
node_of (lm_graph *g, GHashTable *nodes, const LmChromeOp *op)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", op->name, op->module);
  gpointer id = g_hash_table_lookup (nodes, key);

  if (id == NULL)
    {
      /* torch.profiler's op: each of its events is a call, in backward too
       * (the Profile pane's Calls); a Lumen export's backward event is the
       * backward of its op's call, as in the run it came from */
      lm_graph_node n = { .id = g_hash_table_size (nodes) + 1, .op = op->name, .name = op->name,
                          .module = op->module, .ndim = -1, .device = "cpu",
                          .attrs_json = op->lumen_op ? NULL : "{\"backward_calls\": true}" };
      id = GINT_TO_POINTER ((int) n.id);
      if (lm_graph_add_node (g, &n) != LM_OK)
        return -1;
      g_hash_table_insert (nodes, g_steal_pointer (&key), id);
    }
  return GPOINTER_TO_INT (id);
}

/* The step's trace; ids[i] is its op i's node. */
static int
write_step (lm_writer *w, const LmChromeStep *st, gint64 step, int64_t gid, const gint64 *ids)
{
  lm_trace *t = NULL;
  lm_trace_stats none = { NAN, NAN, NAN, NAN, 0, 0, 0 };
  int rc = lm_trace_new (&t, gid, step);

  lm_trace_set_values_cap (t, 0);
  for (guint i = 0; rc == LM_OK && i < st->ops->len; i++)
    {
      const LmChromeOp *op = &g_array_index (st->ops, LmChromeOp, i);

      rc = lm_trace_add_event_stats (t, ids[i],
                                     op->backward ? LM_PHASE_BACKWARD : LM_PHASE_FORWARD, NULL, -1, 0,
                                     &none);
      if (rc == LM_OK)
        rc = lm_trace_set_event_time (t, op->start_ns, op->dur_ns);
      if (rc == LM_OK && op->input_shapes)
        rc = lm_trace_set_event_input_shapes (t, op->input_shapes);
      if (rc == LM_OK && op->alloc_bytes >= 0)
        rc = lm_trace_set_event_memory (t, op->alloc_bytes, op->free_bytes, MAX (op->mem_after, 0),
                                        MAX (op->mem_peak, 0));
    }
  if (rc == LM_OK)
    rc = lm_trace_set_step_time (t, st->dur_ns);
  if (rc == LM_OK)
    {
      if (st->wall_time > 0)
        lm_writer_set_wall_time (w, st->wall_time + st->dur_ns / 1e9);
      rc = lm_writer_add_trace (w, t, NULL);
    }
  lm_trace_free (t);
  return rc;
}

/* The nodes of the steps' ops into g, each op's node id appended to ids
 * (the steps' ops one after another). */
static int
add_nodes (lm_graph *g, GHashTable *nodes, GPtrArray *steps, GArray *ids)
{
  int rc = LM_OK;

  for (guint s = 0; rc == LM_OK && s < steps->len; s++)
    {
      const LmChromeStep *st = steps->pdata[s];

      for (guint i = 0; i < st->ops->len; i++)
        {
          gint64 id = node_of (g, nodes, &g_array_index (st->ops, LmChromeOp, i));

          if (id < 0)
            rc = LM_ERR_INVALID_ARG;
          g_array_append_val (ids, id);
        }
    }
  return rc;
}

int
lm_tb_profile_write (lm_writer *w, GPtrArray *traces, const char *name, gint64 *next_step,
                     guint *n_steps, LmChromeTraceStop stop, gpointer stop_data)
{
  g_autoptr (GHashTable) nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  /* every op's node, the steps' ops one after another */
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint at = 0;
  lm_graph *g = NULL;
  int64_t gid = -1;
  int rc;

  *n_steps = 0;
  for (guint f = 0; f < traces->len; f++)
    {
      const LmChromeTrace *ct = traces->pdata[f];
      for (guint s = 0; s < ct->steps->len; s++)
        g_ptr_array_add (steps, ct->steps->pdata[s]);
    }
  if (steps->len == 0)
    return LM_OK;
  rc = lm_graph_new (&g, name);
  /* every node first: the graph is stored before its traces */
  if (rc == LM_OK)
    rc = add_nodes (g, nodes, steps, ids);
  if (rc == LM_OK)
    {
      const LmChromeStep *first = steps->pdata[0];
      if (first->wall_time > 0)
        lm_writer_set_wall_time (w, first->wall_time);
      rc = lm_writer_add_graph (w, first->step >= 0 ? first->step : *next_step, g, &gid);
    }
  for (guint s = 0; rc == LM_OK && s < steps->len && !(stop != NULL && stop (stop_data)); s++)
    {
      const LmChromeStep *st = steps->pdata[s];
      gint64 step = st->step >= 0 ? st->step : (*next_step)++;

      rc = write_step (w, st, step, gid, ids->len > 0 ? &g_array_index (ids, gint64, at) : NULL);
      at += st->ops->len;
      if (rc == LM_OK)
        (*n_steps)++;
      *next_step = MAX (*next_step, step + 1);
    }
  lm_writer_set_wall_time (w, 0);
  lm_graph_free (g);
  return rc;
}
