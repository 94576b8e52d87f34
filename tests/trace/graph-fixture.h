/* graph-fixture.h: LmGraphData built in memory, for the graph-view tests
 * and bench/graph (graphs a run file would hold, without training one).
 *
 * Not for reading run files (lm_graph_data_load does that) nor for checking
 * anything: the callers assert.
 */
#pragma once

#include <glib.h>

#include "lm-graph-data.h"

typedef struct GraphFixture GraphFixture;

GraphFixture *graph_fixture_begin (const char *name);
/* ndim -1: unknown shape. module "" or NULL: top level. */
void          graph_fixture_node  (GraphFixture *f, gint64 id, const char *op, const char *name,
                                   const char *module, int ndim, const gint64 *shape);
void          graph_fixture_edge  (GraphFixture *f, gint64 src, gint64 dst, int slot);
/* The graph (free with lm_graph_data_free); f is freed. */
LmGraphData  *graph_fixture_end   (GraphFixture *f);

/* A synthetic deep network: n_ops ops in 10-op modules "blocks.N", a
 * parameter per 4 ops (in the op's module) and a skip connection every 3
 * ops. 1,600 ops make the 2,000-node graph of the speed target. */
LmGraphData  *graph_fixture_synthetic   (int n_ops);

/* Modules whose members interleave in the layers: two branches run side
 * by side, each op alternating between modules "a" and "b" along a branch
 * (a.0 -> b.0 -> a.1 ...), a module "shared" reused by both branches, top-
 * level inputs and ops pulled between them, nested modules ("enc.0.conv")
 * and a parameter feeding an op in another module. The graph a naive
 * layout draws with a non-member inside a module's box. */
LmGraphData  *graph_fixture_interleaved (void);
