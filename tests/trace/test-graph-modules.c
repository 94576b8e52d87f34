/* test-graph-modules.c: module boxes in the graph view (ui/lm-graph-view.c
 * and the clusters of ui/lm-graph-layout.c), as drawn.
 *
 * On the graphs of a real MLP and a real CNN lumen-train run, on a graph
 * whose modules interleave (graph-fixture.c) and on the 2,000-node
 * synthetic network: every expanded module has a box, the box holds the
 * boxes of all its nodes, no node that is not in the module intersects it,
 * and two boxes intersect only when one module holds the other; the same
 * with modules collapsed (a collapsed module's box sits in its parent's).
 * The pixels agree: inside a box, between its nodes, the canvas has the
 * box's tint, not the background. Needs a display (skips without one).
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-graph-data.h"
#include "lm-graph-view.h"
#include "lm-train-app.h"
#include "train-fixture.h"
#include "widget-pixels.h"

static char *tmpdir;
static gboolean have_display;

/* lumen-train's graph of model (a few steps on a small synthetic set). */
static LmGraphData *
train_graph (const char *model)
{
  lm_train_cli cli;
  g_autofree char *data = train_fixture_make_data (tmpdir, 256, 64);
  g_autofree char *path = g_build_filename (tmpdir, model, "run.lumen", NULL);
  char *error = NULL;
  LmGraphData *g;
  FILE *out = tmpfile ();

  lm_train_cli_defaults (&cli);
  cli.data_dir = data;
  cli.model = model;
  cli.set_model = TRUE;
  cli.epochs = 1;
  cli.set_epochs = TRUE;
  cli.no_progress = TRUE;
  cli.logdir = tmpdir;
  cli.run = model;
  cli.stop_after_steps_set = TRUE;
  cli.stop_after_steps = 2;
  g_assert_cmpint (lm_train_app_run (&cli, out, stderr, NULL), ==, 0);
  fclose (out);
  g = lm_graph_data_load (path, -1, &error);
  if (g == NULL)
    g_error ("%s", error);
  return g;
}

static gboolean
laid_out (gpointer v)
{
  return lm_graph_view_is_laid_out (v) && gtk_widget_get_width (v) > 0;
}

static void
spin_until_laid_out (GtkWidget *view)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!laid_out (view) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (laid_out (view));
}

/* "features.3" is in "features" and in "features.3" */
static gboolean
in_module (const char *node_module, const char *module)
{
  size_t n = strlen (module);

  return strncmp (node_module, module, n) == 0 && (node_module[n] == '\0' || node_module[n] == '.');
}

static gboolean
overlap (const graphene_rect_t *a, const graphene_rect_t *b)
{
  double w = MIN (a->origin.x + a->size.width, b->origin.x + b->size.width) - MAX (a->origin.x, b->origin.x);
  double h = MIN (a->origin.y + a->size.height, b->origin.y + b->size.height) - MAX (a->origin.y, b->origin.y);

  return w > 1e-3 && h > 1e-3;
}

static gboolean
contains (const graphene_rect_t *outer, const graphene_rect_t *inner)
{
  return inner->origin.x >= outer->origin.x - 1e-3 && inner->origin.y >= outer->origin.y - 1e-3
         && inner->origin.x + inner->size.width <= outer->origin.x + outer->size.width + 1e-3
         && inner->origin.y + inner->size.height <= outer->origin.y + outer->size.height + 1e-3;
}

/* Every module path of the graph, outer before inner. */
static GPtrArray *
modules_of (LmGraphData *g)
{
  GPtrArray *mods = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < g->n_nodes; i++)
    {
      const char *m = g->nodes[i].module;

      for (const char *p = m; *m; p++)
        if (*p == '.' || *p == '\0')
          {
            char *prefix = g_strndup (m, (gsize) (p - m));

            if (g_hash_table_contains (seen, prefix))
              g_free (prefix);
            else
              {
                g_ptr_array_add (mods, prefix);
                g_hash_table_add (seen, prefix);
              }
            if (*p == '\0')
              break;
          }
    }
  return mods;
}

/* The checks of this file on what the view shows now; returns the number
 * of module boxes. */
static guint
assert_boxes_clear (LmGraphView *view, LmGraphData *g, const char *what)
{
  g_autoptr (GPtrArray) mods = modules_of (g);
  guint n_boxes = 0, n_pairs = 0;

  for (guint m = 0; m < mods->len; m++)
    {
      const char *mod = g_ptr_array_index (mods, m);
      graphene_rect_t box;

      if (!lm_graph_view_get_module_rect (view, mod, &box))
        {
          /* only collapsed modules (and what they hold) have no box */
          gboolean hidden = FALSE;
          for (guint k = 0; k <= m && !hidden; k++)
            hidden = in_module (mod, g_ptr_array_index (mods, k))
                     && lm_graph_view_get_collapsed (view, g_ptr_array_index (mods, k));
          if (!hidden)
            g_error ("%s: module %s has no box", what, mod);
          continue;
        }
      n_boxes++;
      for (gsize i = 0; i < g->n_nodes; i++)
        {
          graphene_rect_t r;

          g_assert_true (lm_graph_view_get_node_rect (view, g->nodes[i].id, &r));
          if (in_module (g->nodes[i].module, mod))
            {
              if (!contains (&box, &r))
                g_error ("%s: node %s (%s) sticks out of the box of %s", what, g->nodes[i].name, g->nodes[i].module,
                         mod);
            }
          else
            {
              if (overlap (&box, &r))
                g_error ("%s: node %s (module '%s', op %s) is inside the box of %s", what, g->nodes[i].name,
                         g->nodes[i].module, g->nodes[i].op, mod);
              n_pairs++;
            }
        }
      for (guint k = 0; k < mods->len; k++)
        {
          const char *other = g_ptr_array_index (mods, k);
          graphene_rect_t ob;

          if (k == m || in_module (mod, other) || in_module (other, mod)
              || !lm_graph_view_get_module_rect (view, other, &ob))
            continue;
          if (overlap (&box, &ob))
            g_error ("%s: the boxes of %s and %s overlap", what, mod, other);
        }
    }
  g_test_message ("%s: %u module boxes, %u (box, non-member node) pairs apart", what, n_boxes, n_pairs);
  return n_boxes;
}

static GtkWidget *
show (LmGraphData *g, int w, int h)
{
  GtkWidget *win = gtk_window_new (), *view = lm_graph_view_new ();

  gtk_window_set_default_size (GTK_WINDOW (win), w, h);
  gtk_window_set_child (GTK_WINDOW (win), view);
  gtk_window_present (GTK_WINDOW (win));
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  spin_until_laid_out (view);
  lm_graph_view_fit (LM_GRAPH_VIEW (view));
  return view;
}

static void
close_view (GtkWidget *view)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (view)));
}

static void
test_trained (gconstpointer data)
{
  const char *model = data;
  LmGraphData *g;
  GtkWidget *view;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = train_graph (model);
  view = show (g, 900, 1000);
  /* the MLP has 3 modules (Flatten, Linear, ReLU, Linear: 0..3), the CNN 11 */
  g_assert_cmpuint (assert_boxes_clear (LM_GRAPH_VIEW (view), g, model), >=, strcmp (model, "cnn") == 0 ? 11 : 3);

  /* the tint is there inside a module's box, between its nodes: the box
   * of a module with a parameter is wider than its op */
  {
    int w, h;
    gsize stride;
    g_autofree guchar *buf = widget_pixels_render (view, &w, &h, &stride);
    graphene_rect_t box, r;
    const char *mod = NULL;
    for (gsize i = 0; i < g->n_nodes && !mod; i++)
      if (g_strcmp0 (g->nodes[i].op, "parameter") == 0)
        mod = g->nodes[i].module;
    g_assert_nonnull (mod);
    g_assert_true (lm_graph_view_get_module_rect (LM_GRAPH_VIEW (view), mod, &box));
    int x = (int) (box.origin.x + 3), y = (int) (box.origin.y + box.size.height - 3);
    for (gsize i = 0; i < g->n_nodes; i++)
      {
        lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), g->nodes[i].id, &r);
        g_assert_false (graphene_rect_contains_point (&r, &GRAPHENE_POINT_INIT (x, y)));
      }
    const guchar *px = buf + (gsize) y * stride + (gsize) x * 4;
    /* the background is (0.985, 0.985, 0.99); the tint is bluer and darker */
    g_assert_cmpint (px[2], <, (int) (0.985 * 255) - 3);
    g_assert_cmpint (px[0], >, px[2]);
  }

  /* collapse every top-level module, then the first one only */
  lm_graph_view_collapse_all (LM_GRAPH_VIEW (view), TRUE);
  spin_until_laid_out (view);
  assert_boxes_clear (LM_GRAPH_VIEW (view), g, model);
  lm_graph_view_collapse_all (LM_GRAPH_VIEW (view), FALSE);
  for (gsize i = 0; i < g->n_nodes; i++)
    if (g_strcmp0 (g->nodes[i].op, "parameter") == 0)
      {
        lm_graph_view_set_collapsed (LM_GRAPH_VIEW (view), g->nodes[i].module, TRUE);
        break;
      }
  spin_until_laid_out (view);
  assert_boxes_clear (LM_GRAPH_VIEW (view), g, model);
  close_view (view);
}

static void
test_interleaved (void)
{
  LmGraphData *g;
  GtkWidget *view;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = graph_fixture_interleaved ();
  view = show (g, 1000, 1000);
  g_assert_cmpuint (assert_boxes_clear (LM_GRAPH_VIEW (view), g, "interleaved"), ==, 9);
  /* a nested module collapsed: its box sits in the box of enc */
  lm_graph_view_set_collapsed (LM_GRAPH_VIEW (view), "enc.0", TRUE);
  spin_until_laid_out (view);
  g_assert_cmpuint (assert_boxes_clear (LM_GRAPH_VIEW (view), g, "interleaved, enc.0 collapsed"), ==, 7);
  {
    graphene_rect_t enc, r;
    gint64 conv = -1;
    for (gsize i = 0; i < g->n_nodes; i++)
      if (g_strcmp0 (g->nodes[i].module, "enc.0.conv") == 0)
        conv = g->nodes[i].id;
    g_assert_true (lm_graph_view_get_module_rect (LM_GRAPH_VIEW (view), "enc", &enc));
    g_assert_true (lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), conv, &r));
    g_assert_true (contains (&enc, &r));
    g_assert_false (lm_graph_view_get_module_rect (LM_GRAPH_VIEW (view), "enc.0", &r));
  }
  /* everything collapsed */
  lm_graph_view_collapse_all (LM_GRAPH_VIEW (view), TRUE);
  spin_until_laid_out (view);
  g_assert_cmpuint (assert_boxes_clear (LM_GRAPH_VIEW (view), g, "interleaved, all collapsed"), ==, 0);
  close_view (view);
}

static void
test_big (void)
{
  LmGraphData *g;
  GtkWidget *view;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = graph_fixture_synthetic (400);
  view = show (g, 1200, 900);
  /* "blocks" and its 40 blocks */
  g_assert_cmpuint (assert_boxes_clear (LM_GRAPH_VIEW (view), g, "synthetic, 400 ops"), ==, 41);
  close_view (view);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  have_display = gtk_init_check ();
  tmpdir = g_dir_make_tmp ("lumen-graph-modules-XXXXXX", NULL);
  g_test_add_data_func ("/trace/modules/mlp", "mlp", test_trained);
  g_test_add_data_func ("/trace/modules/cnn", "cnn", test_trained);
  g_test_add_func ("/trace/modules/interleaved", test_interleaved);
  g_test_add_func ("/trace/modules/synthetic", test_big);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  return rc;
}
