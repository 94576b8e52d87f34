/* lm-chrome-trace.c: a profiled step as a Chrome trace and back
 * (lm-chrome-trace.h).
 *
 * Writing: the events in start order (a parent before the ops nested in
 * it), each op's memory as torch's "[memory]" instant events, laid out so
 * the readers (torch-tb-profiler, our own) get back the op's bytes
 * allocated and freed, its Total Allocated at the end and its peak: its
 * own bytes in the gaps around its nested ops, allocations first up to
 * its peak; what changed between top-level ops as events in no op;
 * synthetic addresses pairing each free with the allocations it takes.
 * Reading: one pass over the text with the small JSON
 * reader (lm-json-private.h), keeping only the fields used; then per step
 * a sweep in time order gives each memory event to the innermost op open
 * at it and to that op's parents, as torch sums CPU Mem.
 * Not here: the run file, the pane.
 */
#include "lm-chrome-trace.h"
#include "lm-json-private.h"

#include <gio/gio.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BACKWARD_PREFIX "autograd::engine::evaluate_function"

/* ------------------------------------------------------------ writing */

static void
append_string (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');
}

static void
append_double (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.3f", v));
}

/* "linear" -> "LinearBackward0", "max_pool2d" -> "MaxPool2dBackward0":
 * the name torch gives an op's autograd function. */
static char *
backward_name (const char *op)
{
  GString *s = g_string_new (NULL);
  gboolean up = TRUE;

  for (const char *p = op; *p; p++)
    {
      if (*p == '_')
        {
          up = TRUE;
          continue;
        }
      g_string_append_c (s, up ? g_ascii_toupper (*p) : *p);
      up = FALSE;
    }
  g_string_append (s, "Backward0");
  return g_string_free (s, FALSE);
}

/* Whether text is one JSON value and nothing else. */
static gboolean
is_json (const char *text)
{
  LmJsonParser ps = { text, text, NULL, "input shapes" };
  gboolean ok = lm_json_skip_value (&ps, 0);

  lm_json_skip_ws (&ps);
  ok = ok && *ps.p == '\0';
  g_free (ps.error);
  return ok;
}

typedef struct
{
  gint64 start, end;
  gsize event;
  gssize parent;     /* index into the spans, -1: top level */
} Span;

static int
span_order (gconstpointer a, gconstpointer b)
{
  const Span *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)  /* the longer first: a parent before its child */
    return x->end > y->end ? -1 : 1;
  return x->event < y->event ? -1 : x->event > y->event;
}

/* Sorts s and links each span to the one it is nested in (the rule
 * lm-profile.c's self times use). */
static void
nest_spans (Span *s, gsize n)
{
  g_autofree gsize *stack = g_new (gsize, n ? n : 1);
  gsize depth = 0;

  qsort (s, n, sizeof *s, span_order);
  for (gsize k = 0; k < n; k++)
    {
      while (depth > 0 && s[stack[depth - 1]].end <= s[k].start)
        depth--;
      s[k].parent = depth > 0 && s[k].end <= s[stack[depth - 1]].end ? (gssize) stack[depth - 1] : -1;
      stack[depth++] = k;
    }
}

/* A "[memory]" event to write: torch's, one allocation (Bytes > 0) or
 * free (< 0) and the Total Allocated after it. */
typedef struct
{
  gint64 t_ns, bytes, total;
  int dev_type, dev_id;
  guint order;        /* the order it was made in, for events at one time */
  gint64 addr;        /* an allocation's address (assign_addresses) */
} MemOut;

static int
mem_out_order (gconstpointer a, gconstpointer b)
{
  const MemOut *x = a, *y = b;

  if (x->t_ns != y->t_ns)
    return x->t_ns < y->t_ns ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* One "[memory]" event of m's: bytes at addr, total allocated after it. */
static void
append_memory (GString *s, gint64 pid, const MemOut *m, gint64 addr, gint64 bytes, gint64 total)
{
  g_string_append_printf (s, ",\n  {\"ph\": \"i\", \"cat\": \"cpu_instant_event\", \"s\": \"t\", "
                             "\"name\": \"[memory]\", \"pid\": %" G_GINT64_FORMAT ", \"tid\": %"
                             G_GINT64_FORMAT ", \"ts\": ", pid, pid);
  append_double (s, m->t_ns / 1000.0);
  g_string_append_printf (s, ", \"args\": {\"Total Reserved\": %" G_GINT64_FORMAT
                             ", \"Total Allocated\": %" G_GINT64_FORMAT ", \"Bytes\": %"
                             G_GINT64_FORMAT ", \"Addr\": %" G_GINT64_FORMAT ", \"Device Type\": %d, "
                             "\"Device Id\": %d}}", total, total, bytes, addr, m->dev_type, m->dev_id);
}

typedef struct
{
  GArray *out;        /* MemOut */
  gint64 t_ns;
  int dev_type, dev_id;
} MemSink;

static void
push_memory (MemSink *k, gint64 bytes, gint64 total)
{
  MemOut m = { k->t_ns, bytes, total, k->dev_type, k->dev_id, k->out->len, 0 };

  g_array_append_val (k->out, m);
}

/* Events taking the total from s by alloc bytes allocated and free freed,
 * never above cap: allocations first, up to cap (a peak inside the op is
 * reached there), frees where more allocations would pass it. */
static void
push_gap (MemSink *k, gint64 s, gint64 alloc, gint64 free, gint64 cap)
{
  gint64 cur = s;

  while (alloc > 0 || free > 0)
    {
      gint64 x = MIN (alloc, MAX (cap - cur, 0)), y;

      if (x > 0)
        push_memory (k, x, cur += x);
      alloc -= x;
      y = alloc > 0 ? MIN (free, MIN (cur, cur + alloc - cap)) : free;
      if (y > 0)
        push_memory (k, -y, cur -= y);
      free -= MAX (y, 0);
      if (x <= 0 && y <= 0)
        {
          /* no room under cap (figures that do not add up): as they come */
          if (alloc > 0)
            push_memory (k, alloc, cur += alloc);
          if (free > 0)
            push_memory (k, -free, cur -= free);
          break;
        }
    }
}

/* The op's device as torch's "Device Type" (0 CPU, 1 CUDA) and "Device Id". */
static void
sink_device (MemSink *k, const LmGraphData *g, const LmTraceDataEvent *e)
{
  gssize i = g != NULL ? lm_graph_data_find (g, e->node_id) : -1;
  const char *dev = i >= 0 ? g->nodes[i].device : NULL;

  k->dev_type = 0;
  k->dev_id = -1;
  if (dev != NULL && g_str_has_prefix (dev, "cuda"))
    k->dev_type = 1, k->dev_id = dev[4] == ':' ? atoi (dev + 5) : 0;
}

static gint64
mem_before (const LmTraceDataEvent *e)
{
  return e->mem_after - e->alloc_bytes + e->free_bytes;
}

/* A moment of gap i of span k (before its first child, between two, after
 * its last) that no child covers, -1 when the children leave none: the
 * readers give an event at a child's start to the child, and one at a
 * child's end to its parent (unless the child takes no time). */
static gint64
gap_moment (const Span *sp, const gsize *kids, gsize n_kids, gsize k, gsize i)
{
  gint64 from = i == 0 ? sp[k].start : sp[kids[i - 1]].end;
  gint64 to = i < n_kids ? sp[kids[i]].start : sp[k].end;

  if (i > 0 && sp[kids[i - 1]].start == from)
    from++;
  if (from < to || (from == to && i == n_kids && sp[k].start == sp[k].end))
    return from;
  return -1;
}

/* op_memory's room, made once for all the ops of a trace of n: an op's
 * children (kids) and, for each gap around them, its total at the start
 * (s), its net (d) and a moment of it (at); n + 1 each. */
typedef struct
{
  gsize *kids;
  gint64 *s, *d, *at;
} Gaps;

static void
gaps_init (Gaps *gaps, gsize n)
{
  gaps->kids = g_new (gsize, n + 1);
  gaps->s = g_new (gint64, n + 1);
  gaps->d = g_new (gint64, n + 1);
  gaps->at = g_new (gint64, n + 1);
}

static void
gaps_clear (Gaps *gaps)
{
  g_free (gaps->kids);
  g_free (gaps->s);
  g_free (gaps->d);
  g_free (gaps->at);
}

/* The op's memory events.  What it allocated and freed itself (less its
 * children's) falls in the gaps around its children; each gap's net is
 * known (a child's start total is its mem_after less its own net), and the
 * allocations beyond those nets go to the gap that can reach the op's
 * peak, so the readers find its mem_peak, mem_after, bytes allocated and
 * freed as recorded.  A gap no moment is free in lends its events to the
 * op's first gap that has one. */
static void
op_memory (GArray *out, const LmTraceData *t, const LmGraphData *g, const Span *sp, gsize n, gsize k,
           Gaps *gaps)
{
  const LmTraceDataEvent *e = &t->events[sp[k].event];
  gsize *kids = gaps->kids;
  gint64 *s = gaps->s, *d = gaps->d, *at = gaps->at;
  gsize n_kids = 0, best = 0;
  gint64 self_alloc = e->alloc_bytes, self_free = e->free_bytes, extra, fallback = -1;
  MemSink sink = { out, 0, 0, -1 };

  if (e->alloc_bytes < 0)
    return;
  for (gsize c = k + 1; c < n && sp[c].start < sp[k].end; c++)
    if (sp[c].parent == (gssize) k)
      kids[n_kids++] = c;
  /* gap i runs from s[i] to s[i] + d[i] */
  for (gsize i = 0; i <= n_kids; i++)
    {
      const LmTraceDataEvent *prev = i > 0 ? &t->events[sp[kids[i - 1]].event] : NULL;
      const LmTraceDataEvent *next = i < n_kids ? &t->events[sp[kids[i]].event] : NULL;

      s[i] = i == 0 ? mem_before (e) : prev->alloc_bytes >= 0 ? prev->mem_after : s[i - 1] + d[i - 1];
      d[i] = (next == NULL ? e->mem_after : next->alloc_bytes >= 0 ? mem_before (next) : s[i]) - s[i];
      if (next != NULL && next->alloc_bytes >= 0)
        {
          self_alloc -= next->alloc_bytes;
          self_free -= next->free_bytes;
        }
      self_alloc -= MAX (d[i], 0);
      self_free -= MAX (-d[i], 0);
      at[i] = gap_moment (sp, kids, n_kids, k, i);
      if (fallback < 0)
        fallback = at[i], best = i;
      if (at[i] >= 0 && MAX (s[i], s[i] + d[i]) > MAX (s[best], s[best] + d[best]))
        best = i;
    }
  /* what it allocated and freed again beyond the gaps' nets */
  extra = MAX (MIN (self_alloc, self_free), 0);
  sink_device (&sink, g, e);
  for (gsize i = 0; i <= n_kids; i++)
    {
      gint64 x = i == best ? extra : 0;

      sink.t_ns = at[i] >= 0 ? at[i] : fallback >= 0 ? fallback : sp[k].start;
      push_gap (&sink, s[i], MAX (d[i], 0) + x, MAX (-d[i], 0) + x, MAX (e->mem_peak, MAX (s[i], s[i] + d[i])));
    }
}

/* What changed between two top-level ops (the training loop freeing a
 * step's tensors, loading a batch), as torch writes it: an event in no
 * op, where the ops leave a moment for it. */
static void
outside_memory (GArray *out, const LmTraceData *t, const LmGraphData *g, const Span *sp, gsize n)
{
  gssize prev = -1;
  MemSink sink = { out, 0, 0, -1 };

  for (gsize k = 0; k < n; k++)
    {
      const LmTraceDataEvent *e = &t->events[sp[k].event], *p;

      if (sp[k].parent >= 0 || e->alloc_bytes < 0)
        continue;
      p = prev >= 0 ? &t->events[sp[prev].event] : NULL;
      sink.t_ns = prev >= 0 ? sp[prev].end + (sp[prev].start == sp[prev].end) : 0;
      if (p != NULL && mem_before (e) != p->mem_after && sink.t_ns < sp[k].start)
        {
          sink_device (&sink, g, e);
          push_memory (&sink, mem_before (e) - p->mem_after, mem_before (e));
        }
      prev = (gssize) k;
    }
}

/* The first synthetic address: where a 64-bit heap's pointers start. */
#define FIRST_ADDR G_GINT64_CONSTANT (0x7f0000000000)

/* A range of one allocation's bytes (addr..addr + bytes) of events[event]. */
typedef struct
{
  guint event;
  gint64 addr, bytes;
} MemPiece;

static int
piece_order (gconstpointer a, gconstpointer b)
{
  const MemPiece *x = a, *y = b;

  if (x->event != y->event)
    return x->event < y->event ? -1 : 1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Addresses for the events (in time order), as torch gives each
 * allocation its pointer and its free the same one, so that a reader
 * pairing them by Addr (torch-tb-profiler's Memory Events) finds each
 * allocation's bytes and when it was freed.  Lumen records totals, not
 * allocations, so they are synthetic: each allocation the next bytes of
 * one never-reused range; a free takes the latest allocations still live
 * on its device, splitting one it takes part of (cuts: where a piece of
 * an allocation starts; frees: the pieces each free takes, in order);
 * what no live allocation covers (memory allocated before the step) is a
 * free at an address of its own. */
/* The live allocations (MemPiece) of m's device in `live`, the latest
 * last. */
static GArray *
device_stack (GHashTable *live, const MemOut *m)
{
  gpointer dev = GINT_TO_POINTER (m->dev_type * 65536 + m->dev_id + 2);
  GArray *stack = g_hash_table_lookup (live, dev);

  if (stack == NULL)
    {
      stack = g_array_new (FALSE, FALSE, sizeof (MemPiece));
      g_hash_table_insert (live, dev, stack);
    }
  return stack;
}

/* Free event i's `left` bytes from the latest allocations in stack: the
 * pieces taken appended to frees, where an allocation is cut to cuts.
 * The bytes no live allocation covered. */
static gint64
free_from_stack (GArray *stack, guint i, gint64 left, GArray *cuts, GArray *frees)
{
  while (left > 0 && stack->len > 0)
    {
      MemPiece *top = &g_array_index (stack, MemPiece, stack->len - 1);
      MemPiece f = { i, top->addr + top->bytes - MIN (top->bytes, left), MIN (top->bytes, left) };

      g_array_append_val (frees, f);
      left -= f.bytes;
      top->bytes -= f.bytes;
      if (top->bytes > 0)
        {
          MemPiece c = { top->event, f.addr, 0 };
          g_array_append_val (cuts, c);
        }
      else
        g_array_set_size (stack, stack->len - 1);
    }
  return left;
}

static void
assign_addresses (GArray *mems, GArray *cuts, GArray *frees)
{
  g_autoptr (GHashTable) live = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                       (GDestroyNotify) g_array_unref);
  gint64 next = FIRST_ADDR;

  for (guint i = 0; i < mems->len; i++)
    {
      MemOut *m = &g_array_index (mems, MemOut, i);
      GArray *stack = device_stack (live, m);
      gint64 left;

      if (m->bytes > 0)
        {
          MemPiece p = { i, next, m->bytes };

          m->addr = next;
          next += m->bytes;
          g_array_append_val (stack, p);
          continue;
        }
      left = free_from_stack (stack, i, -m->bytes, cuts, frees);
      if (left > 0)
        {
          MemPiece f = { i, next, left };

          next += left;
          g_array_append_val (frees, f);
        }
    }
  g_array_sort (cuts, piece_order);
}

/* Memory event i as its pieces: an allocation cut where frees took part
 * of it, a free as the allocations it took (*cut, *freed: the cursors). */
static void
append_memory_pieces (GString *s, gint64 pid, GArray *mems, guint i, const GArray *cuts, guint *cut,
                      const GArray *frees, guint *freed)
{
  const MemOut *m = &g_array_index (mems, MemOut, i);

  if (m->bytes > 0)
    {
      gint64 from = m->addr, total = m->total - m->bytes;

      for (; *cut < cuts->len && g_array_index (cuts, MemPiece, *cut).event == i; (*cut)++)
        {
          gint64 to = g_array_index (cuts, MemPiece, *cut).addr;

          append_memory (s, pid, m, from, to - from, total += to - from);
          from = to;
        }
      append_memory (s, pid, m, from, m->addr + m->bytes - from, m->total);
      return;
    }
  gint64 total = m->total - m->bytes;
  for (; *freed < frees->len && g_array_index (frees, MemPiece, *freed).event == i; (*freed)++)
    {
      const MemPiece *f = &g_array_index (frees, MemPiece, *freed);

      append_memory (s, pid, m, f->addr, -f->bytes, total -= f->bytes);
    }
}

static void
append_op (GString *s, const LmTraceData *t, const LmGraphData *g, const Span *sp, gint64 pid)
{
  const LmTraceDataEvent *e = &t->events[sp->event];
  gssize i = g ? lm_graph_data_find (g, e->node_id) : -1;
  g_autofree char *fallback = g_strdup_printf ("node %" G_GINT64_FORMAT, e->node_id);
  const char *op = i >= 0 ? g->nodes[i].op : fallback;
  const char *module = i >= 0 ? g->nodes[i].module : "";
  /* an imported torch.profiler op's event in backward is a call of that
   * op (aten::mm), written as torch.profiler wrote it, without "Op", so
   * that it comes back as a call; Lumen's is its op's backward function */
  gboolean own_call = i >= 0 && g->nodes[i].backward_calls;
  g_autofree char *name = e->backward && !own_call ? backward_name (op) : g_strdup (op);

  g_string_append (s, ",\n  {\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": ");
  append_string (s, name);
  g_string_append_printf (s, ", \"pid\": %" G_GINT64_FORMAT ", \"tid\": %" G_GINT64_FORMAT
                             ", \"ts\": ", pid, pid);
  append_double (s, e->start_ns / 1000.0);
  g_string_append (s, ", \"dur\": ");
  append_double (s, e->dur_ns / 1000.0);
  g_string_append_printf (s, ", \"args\": {\"External id\": %" G_GINT64_FORMAT, e->seq + 1);
  if (e->input_shapes != NULL && is_json (e->input_shapes))
    g_string_append_printf (s, ", \"Input Dims\": %s", e->input_shapes);
  if (!own_call)
    {
      g_string_append (s, ", \"Op\": ");
      append_string (s, op);
    }
  if (module != NULL && *module)
    {
      g_string_append (s, ", \"Module\": ");
      append_string (s, module);
    }
  g_string_append_printf (s, ", \"Phase\": \"%s\"}}", e->backward ? "backward" : "forward");
}

static gint64
step_ns (const LmTraceData *t)
{
  gint64 end = 0;

  if (t->dur_ns >= 0)
    return t->dur_ns;
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      end = MAX (end, t->events[i].start_ns + t->events[i].dur_ns);
  return end;
}

/* The step's start in whole µs from the epoch (0 without a wall time):
 * baseTimeNanoseconds, to which every event's ts (µs, as kineto writes
 * them since it made them relative) is added. */
static double
base_us (const LmTraceData *t, gint64 step_len_ns)
{
  return t->wall_time > 0 ? floor (t->wall_time * 1e6 - step_len_ns / 1000.0) : 0;
}

/* The file up to its first op: the metadata, the process and thread
 * names and the step's ProfilerStep#N span (step_len_ns long). */
static void
append_header (GString *s, const LmTraceData *t, const LmChromeTraceOptions *opts, gint64 pid,
               gboolean memory, gint64 step_len_ns)
{
  g_autofree char *step = g_strdup_printf ("ProfilerStep#%" G_GINT64_FORMAT, t->step);

  g_string_append_printf (s, "{\n\"schemaVersion\": 1,\n\"deviceProperties\": [],\n"
                             "\"record_shapes\": 1,\n\"profile_memory\": %d,\n",
                          memory ? 1 : 0);
  if (opts->run != NULL)
    {
      g_string_append (s, "\"traceName\": ");
      append_string (s, opts->run);
      g_string_append (s, ",\n");
    }
  g_string_append (s, "\"displayTimeUnit\": \"ms\",\n");
  g_string_append_printf (s, "\"baseTimeNanoseconds\": %" G_GINT64_FORMAT ",\n",
                          (gint64) base_us (t, step_len_ns) * 1000);
  g_string_append (s, "\"traceEvents\": [\n  {\"ph\": \"M\", \"name\": \"process_name\", ");
  g_string_append_printf (s, "\"pid\": %" G_GINT64_FORMAT ", \"tid\": 0, \"args\": {\"name\": ", pid);
  append_string (s, opts->worker ? opts->worker : "lumen");
  g_string_append_printf (s, "}},\n  {\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": %" G_GINT64_FORMAT
                             ", \"tid\": %" G_GINT64_FORMAT ", \"args\": {\"name\": \"thread %"
                             G_GINT64_FORMAT " (lumen)\"}}", pid, pid, pid);
  g_string_append (s, ",\n  {\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": ");
  append_string (s, step);
  g_string_append_printf (s, ", \"pid\": %" G_GINT64_FORMAT ", \"tid\": %" G_GINT64_FORMAT
                             ", \"ts\": ", pid, pid);
  append_double (s, 0);
  g_string_append (s, ", \"dur\": ");
  append_double (s, step_len_ns / 1000.0);
  g_string_append (s, ", \"args\": {}}");
}

char *
lm_chrome_trace_format (const LmTraceData *t, const LmGraphData *g,
                        const LmChromeTraceOptions *opts)
{
  static const LmChromeTraceOptions none = { 0 };
  GString *s = g_string_new (NULL);
  g_autofree Span *sp = NULL;
  g_autoptr (GArray) mems = g_array_new (FALSE, FALSE, sizeof (MemOut));
  g_autoptr (GArray) cuts = g_array_new (FALSE, FALSE, sizeof (MemPiece));
  g_autoptr (GArray) frees = g_array_new (FALSE, FALSE, sizeof (MemPiece));
  guint cut = 0, freed = 0;
  Gaps gaps;
  gsize n = 0;
  gboolean memory = FALSE;
  gint64 pid;

  g_return_val_if_fail (t != NULL, NULL);
  if (opts == NULL)
    opts = &none;
  pid = opts->pid > 0 ? opts->pid : 1;
  sp = g_new (Span, t->n_events ? t->n_events : 1);
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      {
        sp[n++] = (Span){ t->events[i].start_ns, t->events[i].start_ns + t->events[i].dur_ns, i, -1 };
        memory |= t->events[i].alloc_bytes >= 0;
      }
  nest_spans (sp, n);

  append_header (s, t, opts, pid, memory, step_ns (t));
  gaps_init (&gaps, n);
  for (gsize k = 0; k < n; k++)
    op_memory (mems, t, g, sp, n, k, &gaps);
  gaps_clear (&gaps);
  outside_memory (mems, t, g, sp, n);
  g_array_sort (mems, mem_out_order);
  assign_addresses (mems, cuts, frees);
  /* each op before the memory events from its start on */
  for (gsize k = 0, m = 0; k <= n; k++)
    {
      for (; m < mems->len && (k == n || g_array_index (mems, MemOut, m).t_ns < sp[k].start); m++)
        append_memory_pieces (s, pid, mems, m, cuts, &cut, frees, &freed);
      if (k < n)
        append_op (s, t, g, &sp[k], pid);
    }
  g_string_append (s, "\n]\n}\n");
  return g_string_free (s, FALSE);
}

gboolean
lm_chrome_trace_write (const char *path, const LmTraceData *t, const LmGraphData *g,
                       const LmChromeTraceOptions *opts, char **error)
{
  g_autofree char *text = lm_chrome_trace_format (t, g, opts);
  g_autoptr (GError) err = NULL;

  if (!g_file_set_contents (path, text, -1, &err))
    {
      *error = g_strdup_printf ("cannot write %s: %s", path, err->message);
      return FALSE;
    }
  return TRUE;
}

char *
lm_chrome_trace_file_name (const LmTraceData *t, const char *worker)
{
  g_autofree char *w = g_strdup (worker && *worker ? worker : "lumen");

  g_strdelimit (w, "./\\", '_');
  return g_strdup_printf ("%s.%" G_GINT64_FORMAT ".pt.trace.json", w,
                          (gint64) floor (base_us (t, step_ns (t)) / 1000.0));
}

/* ------------------------------------------------------------ reading */

typedef struct
{
  GString *ph, *cat, *name, *phase, *op, *module;
  double ts, dur, bytes, total;
  gboolean has_ts, has_dur, has_bytes, has_total;
  char *dims;
} Raw;

typedef struct
{
  double ts, dur;       /* µs */
  gint64 step;
} StepSpan;

typedef struct
{
  double ts, bytes, total;
} MemEvent;

typedef struct
{
  double ts, dur;
  char *op, *module, *dims;
  gboolean backward, lumen_op;
} OpEvent;

typedef struct
{
  LmChromeTrace *ct;
  Raw raw;
  GArray *steps, *mems, *ops;
  guint index;          /* the event's number in the array, from 1 */
  gboolean seen;        /* "traceEvents" was there */
  double base_ns;       /* baseTimeNanoseconds, 0 when none */
  const char *at;       /* its '{' */
  LmChromeTraceStop stop;  /* asked every STOP_EVERY events, or NULL */
  gpointer stop_data;
} Reader;

/* How often (events) a read asks whether to stop: a few milliseconds. */
#define STOP_EVERY 4096

static void
raw_reset (Raw *r)
{
  g_string_truncate (r->ph, 0);
  g_string_truncate (r->cat, 0);
  g_string_truncate (r->name, 0);
  g_string_truncate (r->phase, 0);
  g_string_truncate (r->op, 0);
  g_string_truncate (r->module, 0);
  r->has_ts = r->has_dur = r->has_bytes = r->has_total = FALSE;
  g_clear_pointer (&r->dims, g_free);
}

/* The value as text with one space after each comma and no other
 * whitespace: "[[64, 784], [784]]". */
static gboolean
read_dims (LmJsonParser *ps, Raw *r)
{
  const char *from;
  GString *s;

  lm_json_skip_ws (ps);
  from = ps->p;
  if (!lm_json_skip_value (ps, 0))
    return FALSE;
  s = g_string_new (NULL);
  for (const char *p = from; p < ps->p; p++)
    if (*p == ',')
      g_string_append (s, ", ");
    else if (!g_ascii_isspace (*p))
      g_string_append_c (s, *p);
  g_free (r->dims);
  r->dims = g_string_free (s, FALSE);
  return TRUE;
}

/* A number member, or null/anything else skipped (has stays FALSE). */
static gboolean
read_number (LmJsonParser *ps, double *v, gboolean *has)
{
  lm_json_skip_ws (ps);
  if (*ps->p == '-' || g_ascii_isdigit (*ps->p))
    {
      *has = lm_json_parse_number (ps, v) && isfinite (*v);
      return ps->error == NULL;
    }
  return lm_json_skip_value (ps, 0);
}

static gboolean
read_string (LmJsonParser *ps, GString *out)
{
  lm_json_skip_ws (ps);
  if (*ps->p == '"')
    return lm_json_parse_string (ps, out);
  return lm_json_skip_value (ps, 0);
}

static gboolean
arg_member (LmJsonParser *ps, const char *key, gpointer data)
{
  Raw *r = data;

  if (strcmp (key, "Input Dims") == 0 || strcmp (key, "Input dims") == 0)
    return read_dims (ps, r);
  if (strcmp (key, "Bytes") == 0)
    return read_number (ps, &r->bytes, &r->has_bytes);
  if (strcmp (key, "Total Allocated") == 0)
    return read_number (ps, &r->total, &r->has_total);
  if (strcmp (key, "Phase") == 0)
    return read_string (ps, r->phase);
  if (strcmp (key, "Op") == 0)
    return read_string (ps, r->op);
  if (strcmp (key, "Module") == 0)
    return read_string (ps, r->module);
  return lm_json_skip_value (ps, 0);
}

static gboolean
event_member (LmJsonParser *ps, const char *key, gpointer data)
{
  Raw *r = data;

  if (strcmp (key, "ph") == 0)
    return read_string (ps, r->ph);
  if (strcmp (key, "cat") == 0)
    return read_string (ps, r->cat);
  if (strcmp (key, "name") == 0)
    return read_string (ps, r->name);
  if (strcmp (key, "ts") == 0)
    return read_number (ps, &r->ts, &r->has_ts);
  if (strcmp (key, "dur") == 0)
    return read_number (ps, &r->dur, &r->has_dur);
  if (strcmp (key, "args") == 0)
    {
      lm_json_skip_ws (ps);
      if (*ps->p != '{')
        return lm_json_skip_value (ps, 0);
      return lm_json_parse_object (ps, "expected an object", arg_member, r);
    }
  return lm_json_skip_value (ps, 0);
}

G_GNUC_PRINTF (3, 4) static void
warn (Reader *rd, LmJsonParser *ps, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (rd->ct->warnings,
                   g_strdup_printf ("%s: event %u at byte %ld: %s", ps->what, rd->index,
                                    (long) (rd->at - ps->start), what));
}

static gboolean
is_op_category (const GString *cat)
{
  return cat->len == 0 || g_ascii_strcasecmp (cat->str, "cpu_op") == 0
         || g_ascii_strcasecmp (cat->str, "operator") == 0
         || g_ascii_strcasecmp (cat->str, "user_annotation") == 0;
}

/* Files the event just read where it belongs; a missing field is named. */
static void
take_event (Reader *rd, LmJsonParser *ps)
{
  Raw *r = &rd->raw;

  if (strcmp (r->ph->str, "i") == 0 && strcmp (r->name->str, "[memory]") == 0)
    {
      if (!r->has_ts || !r->has_bytes || !r->has_total)
        {
          warn (rd, ps, "a [memory] event without a number for %s",
                !r->has_ts ? "\"ts\"" : !r->has_bytes ? "\"Bytes\"" : "\"Total Allocated\"");
          return;
        }
      g_array_append_val (rd->mems, ((MemEvent){ r->ts, r->bytes, r->total }));
      return;
    }
  if (strcmp (r->ph->str, "X") != 0)
    return;
  if (g_str_has_prefix (r->name->str, "ProfilerStep#"))
    {
      char *end;
      gint64 n = g_ascii_strtoll (r->name->str + 13, &end, 10);

      if (end == r->name->str + 13 || *end)
        warn (rd, ps, "\"%s\" has no step number", r->name->str);
      else if (!r->has_ts || !r->has_dur || r->dur < 0)
        warn (rd, ps, "\"%s\" without a number for \"%s\"%s", r->name->str, !r->has_ts ? "ts" : "dur",
              r->has_ts && r->has_dur ? " (it is negative)" : "");
      else
        g_array_append_val (rd->steps, ((StepSpan){ r->ts, r->dur, n }));
      return;
    }
  if (!is_op_category (r->cat))
    return;
  if (r->name->len == 0 || !r->has_ts || !r->has_dur || r->dur < 0)
    {
      warn (rd, ps, "an op event %s", r->name->len == 0 ? "without a \"name\""
                                      : !r->has_ts ? "without a number for \"ts\""
                                      : !r->has_dur ? "without a number for \"dur\""
                                                    : "with a negative \"dur\"");
      return;
    }
  /* a Lumen export's "Op" names the op its backward event belongs to */
  OpEvent o = { r->ts, r->dur, g_strdup (r->op->len ? r->op->str : r->name->str),
                g_strdup (r->module->str), g_steal_pointer (&r->dims),
                strcmp (r->phase->str, "backward") == 0 || g_str_has_prefix (r->name->str, BACKWARD_PREFIX),
                r->op->len > 0 };
  g_array_append_val (rd->ops, o);
}

static gboolean
read_event (LmJsonParser *ps, guint i, gpointer data)
{
  Reader *rd = data;

  rd->index = i + 1;
  rd->at = ps->p;
  if (rd->stop != NULL && i % STOP_EVERY == 0 && rd->stop (rd->stop_data))
    {
      ps->error = g_strdup_printf ("%s: interrupted at byte %ld of %zu", ps->what, (long) (ps->p - ps->start),
                                   strlen (ps->start));
      return FALSE;
    }
  raw_reset (&rd->raw);
  if (!lm_json_parse_object (ps, "expected an event (an object)", event_member, &rd->raw))
    return FALSE;
  take_event (rd, ps);
  return TRUE;
}

static gboolean
read_events (Reader *rd, LmJsonParser *ps)
{
  return lm_json_parse_array (ps, "\"traceEvents\"", read_event, rd);
}

static gboolean
top_member (LmJsonParser *ps, const char *key, gpointer data)
{
  Reader *rd = data;

  if (strcmp (key, "traceEvents") == 0)
    {
      rd->seen = TRUE;
      return read_events (rd, ps);
    }
  if (strcmp (key, "baseTimeNanoseconds") == 0)
    {
      gboolean has = FALSE;
      return read_number (ps, &rd->base_ns, &has);
    }
  return lm_json_skip_value (ps, 0);
}

static void
op_clear (gpointer data)
{
  LmChromeOp *o = data;

  g_free (o->name);
  g_free (o->module);
  g_free (o->input_shapes);
}

static void
step_free (gpointer data)
{
  LmChromeStep *s = data;

  g_array_unref (s->ops);
  g_free (s);
}

void
lm_chrome_trace_free (LmChromeTrace *ct)
{
  if (ct == NULL)
    return;
  g_ptr_array_unref (ct->steps);
  g_ptr_array_unref (ct->warnings);
  g_free (ct);
}

static gint64
to_ns (double us)
{
  return (gint64) llround (us * 1000.0);
}

static int
by_ts (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;  /* ts is every struct's first field */

  return x < y ? -1 : x > y;
}

/* Index of the first memory event with ts > t (ts >= t when strict). */
static gsize
mem_bound (const MemEvent *m, gsize n, double t, gboolean strict)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      if (strict ? m[mid].ts < t : m[mid].ts <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Each of the n_mems memory events (those of the step, sorted by ts) to
 * the innermost of the n ops (spans sp, nested) open at it, and to its
 * parents, as torch sums CPU Mem. */
static void
give_memory (GArray *ops, const Span *sp, gsize n, const MemEvent *mems, gsize n_mems, double t0)
{
  g_autofree gsize *stack = g_new (gsize, n ? n : 1);
  gsize depth = 0, k = 0;

  for (gsize j = 0; j < n_mems; j++)
    {
      gint64 t = to_ns (mems[j].ts - t0);

      for (; k < n && sp[k].start <= t; k++)
        {
          while (depth > 0 && sp[stack[depth - 1]].end <= sp[k].start)
            depth--;
          stack[depth++] = k;
        }
      /* an op ends before a memory event at its end (unless it takes no time) */
      while (depth > 0 && (sp[stack[depth - 1]].end < t
                           || (sp[stack[depth - 1]].end == t && sp[stack[depth - 1]].start < t)))
        depth--;
      for (gssize o = depth > 0 ? (gssize) stack[depth - 1] : -1; o >= 0; o = sp[o].parent)
        {
          LmChromeOp *op = &g_array_index (ops, LmChromeOp, o);
          if (mems[j].bytes >= 0)
            op->alloc_bytes += (gint64) mems[j].bytes;
          else
            op->free_bytes += (gint64) -mems[j].bytes;
        }
    }
}

/* The totals at each op's end and the most during it, from all n_mems
 * memory events (sorted by ts) of the trace. */
static void
memory_totals (GArray *ops, const MemEvent *mems, gsize n_mems, double t0)
{
  for (guint i = 0; i < ops->len; i++)
    {
      LmChromeOp *op = &g_array_index (ops, LmChromeOp, i);
      double s = t0 + op->start_ns / 1000.0, e = t0 + (op->start_ns + op->dur_ns) / 1000.0;
      gsize a = mem_bound (mems, n_mems, s, TRUE), b = mem_bound (mems, n_mems, e, op->dur_ns > 0);
      double peak = a > 0 ? mems[a - 1].total : mems[0].total - mems[0].bytes;

      op->mem_after = (gint64) (b > 0 ? mems[b - 1].total : mems[0].total - mems[0].bytes);
      for (gsize j = a; j < b; j++)
        peak = MAX (peak, mems[j].total);
      op->mem_peak = (gint64) peak;
    }
}

/* The step of the ops in ev[first..last) (their spans), its memory from
 * mems (sorted by ts, stably). */
static LmChromeStep *
build_step (const OpEvent *ev, gsize n, gint64 step, double t0, double dur, double base_ns,
            const MemEvent *mems, gsize n_mems)
{
  LmChromeStep *st = g_new0 (LmChromeStep, 1);
  g_autofree Span *sp = g_new (Span, n ? n : 1);
  gsize first = mem_bound (mems, n_mems, t0, TRUE);
  gsize last = mem_bound (mems, n_mems, t0 + dur, FALSE);

  st->step = step;
  st->dur_ns = to_ns (dur);
  st->wall_time = base_ns / 1e9 + t0 / 1e6;
  st->ops = g_array_sized_new (FALSE, TRUE, sizeof (LmChromeOp), (guint) n);
  g_array_set_clear_func (st->ops, op_clear);
  for (gsize i = 0; i < n; i++)
    sp[i] = (Span){ to_ns (ev[i].ts - t0), to_ns (ev[i].ts - t0) + to_ns (ev[i].dur), i, -1 };
  nest_spans (sp, n);
  for (gsize k = 0; k < n; k++)
    {
      const OpEvent *o = &ev[sp[k].event];
      gboolean in_backward = sp[k].parent >= 0
                             && g_array_index (st->ops, LmChromeOp, sp[k].parent).backward;
      LmChromeOp op = { g_strdup (o->op), g_strdup (o->module), o->backward || in_backward,
                        sp[k].start, sp[k].end - sp[k].start, g_strdup (o->dims),
                        -1, -1, -1, -1, o->lumen_op };
      if (first < last)
        op.alloc_bytes = op.free_bytes = 0;
      g_array_append_val (st->ops, op);
    }
  if (first >= last)
    return st;

  give_memory (st->ops, sp, n, mems + first, last - first, t0);
  memory_totals (st->ops, mems, n_mems, t0);
  return st;
}

static void
op_event_clear (gpointer data)
{
  OpEvent *o = data;

  g_free (o->op);
  g_free (o->module);
  g_free (o->dims);
}

static int
op_by_ts (gconstpointer a, gconstpointer b)
{
  const OpEvent *x = a, *y = b;

  return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The steps from what was read: each ProfilerStep span with the ops that
 * start in it; without spans, one step of every op. */
static void
make_steps (Reader *rd)
{
  const OpEvent *ops = (const OpEvent *) (void *) rd->ops->data;
  const MemEvent *mems = (const MemEvent *) (void *) rd->mems->data;
  gsize n = rd->ops->len;

  /* stable sorts: events at one time keep the file's order */
  g_array_sort (rd->steps, by_ts);
  g_array_sort (rd->mems, by_ts);
  g_array_sort (rd->ops, op_by_ts);
  if (rd->steps->len == 0)
    {
      double t0 = n ? ops[0].ts : 0, t1 = t0;

      for (gsize i = 0; i < n; i++)
        t1 = MAX (t1, ops[i].ts + ops[i].dur);
      if (n > 0)
        g_ptr_array_add (rd->ct->steps, build_step (ops, n, -1, t0, t1 - t0, rd->base_ns, mems,
                                                       rd->mems->len));
      return;
    }
  for (guint s = 0; s < rd->steps->len; s++)
    {
      const StepSpan *sp = &g_array_index (rd->steps, StepSpan, s);
      gsize a = 0, b;

      while (a < n && ops[a].ts < sp->ts)
        a++;
      for (b = a; b < n && ops[b].ts < sp->ts + sp->dur; b++)
        ;
      g_ptr_array_add (rd->ct->steps,
                       build_step (ops + a, b - a, sp->step, sp->ts, sp->dur, rd->base_ns, mems,
                                   rd->mems->len));
    }
}

static LmChromeTrace *
parse (const char *text, const char *what, LmChromeTraceStop stop, gpointer stop_data, char **error)
{
  LmJsonParser ps = { text, text, NULL, what ? what : "trace" };
  Reader rd = { .stop = stop, .stop_data = stop_data };
  gboolean ok;

  rd.ct = g_new0 (LmChromeTrace, 1);
  rd.ct->steps = g_ptr_array_new_with_free_func (step_free);
  rd.ct->warnings = g_ptr_array_new_with_free_func (g_free);
  rd.raw.ph = g_string_new (NULL);
  rd.raw.cat = g_string_new (NULL);
  rd.raw.name = g_string_new (NULL);
  rd.raw.phase = g_string_new (NULL);
  rd.raw.op = g_string_new (NULL);
  rd.raw.module = g_string_new (NULL);
  rd.steps = g_array_new (FALSE, FALSE, sizeof (StepSpan));
  rd.mems = g_array_new (FALSE, FALSE, sizeof (MemEvent));
  rd.ops = g_array_new (FALSE, FALSE, sizeof (OpEvent));
  g_array_set_clear_func (rd.ops, op_event_clear);

  lm_json_skip_ws (&ps);
  if (*ps.p == '[')
    ok = rd.seen = read_events (&rd, &ps);
  else
    ok = lm_json_parse_object (&ps, "expected a JSON object with \"traceEvents\"", top_member, &rd);
  lm_json_skip_ws (&ps);
  if (ok && *ps.p != '\0')
    ok = lm_json_fail (&ps, "text after the end of the trace");
  if (ok && !rd.seen)
    {
      ps.p = text;
      ok = lm_json_fail (&ps, "no \"traceEvents\"");
    }
  if (ok)
    make_steps (&rd);

  raw_reset (&rd.raw);
  g_string_free (rd.raw.ph, TRUE);
  g_string_free (rd.raw.cat, TRUE);
  g_string_free (rd.raw.name, TRUE);
  g_string_free (rd.raw.phase, TRUE);
  g_string_free (rd.raw.op, TRUE);
  g_string_free (rd.raw.module, TRUE);
  g_array_unref (rd.steps);
  g_array_unref (rd.mems);
  g_array_unref (rd.ops);
  if (!ok)
    {
      *error = g_steal_pointer (&ps.error);
      lm_chrome_trace_free (rd.ct);
      return NULL;
    }
  return rd.ct;
}

LmChromeTrace *
lm_chrome_trace_parse (const char *text, const char *what, char **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  return parse (text, what, NULL, NULL, error);
}

static char *
gunzip (const char *data, gsize len, gsize *out_len, LmChromeTraceStop stop, gpointer stop_data,
        GError **err)
{
  g_autoptr (GInputStream) mem = g_memory_input_stream_new_from_data (data, (gssize) len, NULL);
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) in = g_converter_input_stream_new (mem, G_CONVERTER (z));
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 buf[65536];
  gssize got;
  guint chunks = 0;

  while ((got = g_input_stream_read (in, buf, sizeof buf, NULL, err)) > 0)
    {
      g_byte_array_append (out, buf, (guint) got);
      if (stop != NULL && ++chunks % 16 == 0 && stop (stop_data))
        {
          g_set_error (err, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted at byte %u unzipped", out->len);
          return NULL;
        }
    }
  if (got < 0)
    return NULL;
  *out_len = out->len;
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

LmChromeTrace *
lm_chrome_trace_load (const char *path, char **error)
{
  return lm_chrome_trace_load_stoppable (path, NULL, NULL, error);
}

LmChromeTrace *
lm_chrome_trace_load_stoppable (const char *path, LmChromeTraceStop stop, gpointer stop_data, char **error)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &err))
    {
      *error = g_strdup_printf ("%s: %s", path, err->message);
      return NULL;
    }
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autofree char *zipped = g_steal_pointer (&data);
      data = gunzip (zipped, len, &len, stop, stop_data, &err);
      if (data == NULL && g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          *error = g_strdup_printf ("%s: %s", path, err->message);
          return NULL;
        }
      if (data == NULL)
        {
          *error = g_strdup_printf ("%s: not a gzip file it can read: %s", path, err->message);
          return NULL;
        }
    }
  if (memchr (data, '\0', len) != NULL)
    {
      *error = g_strdup_printf ("%s: not a JSON text (a NUL byte at byte %ld)", path,
                                (long) ((const char *) memchr (data, '\0', len) - data));
      return NULL;
    }
  return parse (data, path, stop, stop_data, error);
}
