/* lm-graph-view-private.h: what lm-graph-view.c (the model: display graph,
 * layout, input, API) and lm-graph-view-draw.c (the snapshot) share.
 * Not a public API: nothing outside those two files includes it.
 */
#pragma once

#include "lm-graph-view.h"

G_BEGIN_DECLS

typedef enum {
  KIND_OP, KIND_LINEAR, KIND_ACT, KIND_POOL, KIND_LOSS, KIND_VIEW, KIND_PARAM, KIND_INPUT, KIND_GROUP,
} LmGraphKind;

typedef struct
{
  int data;            /* index into graph->nodes, or -1 for a collapsed module */
  char *module;        /* collapsed module path (data == -1) */
  char *title, *subtitle;
  LmGraphKind kind;
  int frame;           /* innermost expanded module box holding it, -1 */
  gboolean anomaly;    /* the trace has a NaN/Inf here */
  gboolean first_anomaly; /* ... and it is the first event that had one */
  double w, h, x, y;   /* world, centre */
  /* drawing caches (lm-graph-view-draw.c), made when first drawn */
  PangoLayout *title_pl, *sub_pl;  /* shared (texts) */
  int title_w, title_h, sub_w, sub_h;
} LmGraphBox;

typedef struct
{
  int a, b;            /* boxes */
  gint64 numel;
  char *label;
  int n_pts;
  double *pts;         /* the route, world x, y pairs */
  double lw;           /* line width, world */
  double x0, y0, x1, y1; /* what it covers, its label included */
  PangoLayout *label_pl;  /* shared (texts) */
} LmGraphLink;

typedef struct
{
  char *module;
  int depth, parent;   /* parent: the enclosing frame, -1 */
  double x0, y0, x1, y1;
  PangoLayout *head_pl;
} LmGraphFrame;

/* A uniform grid over the world: the items (boxes, links) whose extents
 * touch each cell, so a frame visits what is on screen, not everything. */
typedef struct
{
  double x0, y0, cell;
  int nx, ny;
  int *start, *items;  /* CSR by cell */
  guint *mark;         /* per item: the query that last returned it */
  guint n_marks, query;
} LmGraphGrid;

#define LM_GRAPH_ARROW_STEPS 32
#define LM_GRAPH_BRUSH_PX 12

struct _LmGraphView
{
  GtkWidget parent_instance;

  LmGraphData *graph;
  LmTraceData *trace;
  LmGraphColor color;          /* what fills the boxes */
  GHashTable *node_ns;         /* node id -> gint64 * forward + backward time; NULL: untimed */
  gint64 max_ns;               /* the slowest box's time: the scale's top */
  GHashTable *collapsed;       /* module -> TRUE */
  GHashTable *bp_nodes;        /* gint64 node id (boxed) -> TRUE */
  GHashTable *bp_ops;          /* op type -> TRUE */
  GArray *boxes;               /* LmGraphBox */
  GArray *links;               /* LmGraphLink */
  GArray *frames;              /* LmGraphFrame, outer before inner */
  int *rep;                    /* graph node index -> box */
  int *in_start, *in_links;    /* per box: its incoming links (CSR) */
  gboolean *dep;               /* per box: the selection depends on it */
  gboolean *match;             /* per box: matches the search */
  gboolean *breaks;            /* per box: has a breakpoint; NULL: stale */
  int selected;                /* box, -1 none */
  gint64 selected_id;
  double world_w, world_h;

  gboolean laid_out, fit_pending;
  gint64 reveal_pending;       /* node to bring on screen once laid out and sized; -1 none */
  gboolean fit_all;   /* the user asked to see everything, however small */
  guint generation;
  double layout_ms;
  double scale, tx, ty;        /* screen = world * scale + t */
  double drag_tx, drag_ty;
  double px, py;               /* pointer, for zooming around it */
  gboolean has_pointer;

  /* drawing (lm-graph-view-draw.c) */
  LmGraphGrid box_grid, link_grid;
  GArray *visible;             /* scratch: item ids */
  GArray *texts_now, *texts_later; /* scratch: text to draw in a batch */
  guint8 *dots;                /* scratch: screen cells already holding a dot */
  gsize n_dots;
  PangoLayout *badge_pl;
  GHashTable *texts;           /* font + text -> PangoLayout, shared */
  guint prefetch_id;           /* idle: making the text layouts ahead */
  guint prefetch_next;
  GdkTexture *arrows[LM_GRAPH_ARROW_STEPS][3]; /* arrow heads per scale step */
  GdkTexture *brushes[3][LM_GRAPH_BRUSH_PX][2]; /* line cross-sections (GL) */
};

#define LM_GRAPH_PAD_X 10.0
#define LM_GRAPH_PAD_Y 6.0

void     lm_graph_view_kind_colour  (LmGraphKind kind, double rgb[3]);
/* A box's time (ns) for the compute-time colouring, -1 when none. */
gint64   lm_graph_view_box_time     (LmGraphView *self, int box);
/* Sets max_ns from the boxes as they are (collapsing changes them). */
void     lm_graph_view_update_time_scale (LmGraphView *self);
gboolean lm_graph_view_box_breaks   (LmGraphView *self, int box);

/* lm-graph-view-draw.c */
void     lm_graph_view_index        (LmGraphView *self);
void     lm_graph_view_clear_index  (LmGraphView *self);
/* Drops the shared text layouts (the boxes' and links' pointers to them
 * must go too) and the arrow textures. */
void     lm_graph_view_clear_texts  (LmGraphView *self);
void     lm_graph_view_draw         (LmGraphView *self, GtkSnapshot *snapshot, int width, int height);

G_END_DECLS
