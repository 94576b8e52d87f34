/* lm-tb-graph.c: a TensorBoard GraphDef (Event.graph_def, as PyTorch's
 * add_graph and TensorFlow write it) as Lumen's graph.
 *
 * What it is for: every NodeDef becomes a node (its op, its output shape
 * from the "_output_shapes" attribute, its device, its plain attributes
 * as JSON) and every data input an edge, in input order.  Name scopes
 * become module paths, the way the Graph page groups them: PyTorch names
 * a node "Net/Sequential[features]/Conv2d[0]/31" (model class, then
 * Type[attribute] per module), which is module "features.0" as
 * named_modules() says; TensorFlow's "dense/MatMul" is module "dense".
 * PyTorch's parameters (prim::GetAttr "Net/Linear[fc1]/weight/weight.1")
 * become "parameter" leaves named "fc1.weight", its "IO Node"s "input"
 * and "output" nodes, and "aten::" is dropped from op names ("linear",
 * "relu"), as the engine's graphs are written.
 *
 * As TensorBoard does, an input naming no node (PyTorch's GetAttr points
 * at the module object, which is not one) draws no edge, and control
 * inputs ("^name") are listed in the node's attributes, not drawn.
 *
 * Not for: function libraries, or the run metadata (step stats) logged
 * beside a graph.
 */
#include "lm-tb-import-private.h"
#include "lm-tfevents.h"

#include <string.h>

typedef struct
{
  char *name, *op, *device, *dtype;
  GPtrArray *inputs;  /* char * */
  gint64 dims[LM_TF_MAX_DIMS];
  int ndim;           /* -1: unknown */
  gboolean leaf;      /* a parameter: its inputs draw no edges */
  GString *attrs;     /* JSON members, without braces */
} Node;

static void
node_clear (Node *n)
{
  g_free (n->name);
  g_free (n->op);
  g_free (n->device);
  g_free (n->dtype);
  g_ptr_array_unref (n->inputs);
  g_string_free (n->attrs, TRUE);
}

static char *
pb_text (const LmPbField *f)
{
  return g_utf8_make_valid ((const char *) f->data, (gssize) f->len);
}

static void
json_string (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (s, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (s, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static void
json_key (GString *s, const char *key)
{
  if (s->len)
    g_string_append_c (s, ',');
  json_string (s, key);
  g_string_append_c (s, ':');
}

/* TensorFlow's DataType as the engine names dtypes. */
static const char *
dtype_name (guint64 t)
{
  switch (t)
    {
    case LM_DT_FLOAT: return "float32";
    case LM_DT_DOUBLE: return "float64";
    case LM_DT_INT32: return "int32";
    case LM_DT_UINT8: return "uint8";
    case LM_DT_INT16: return "int16";
    case LM_DT_INT8: return "int8";
    case LM_DT_STRING: return "string";
    case LM_DT_INT64: return "int64";
    case LM_DT_BOOL: return "bool";
    case LM_DT_BFLOAT16: return "bfloat16";
    case LM_DT_HALF: return "float16";
    default: return NULL;
    }
}

/* TensorShapeProto: dim 2 {size 1}, unknown_rank 3.  A dimension of
 * unknown size (-1) makes the whole shape unknown to Lumen. */
static gboolean
read_shape (const guint8 *data, size_t len, Node *n)
{
  LmPb ps, pd;
  LmPbField g, h;
  gboolean bad = FALSE;
  int ndim = 0;
  gint64 dims[LM_TF_MAX_DIMS];

  lm_pb_init (&ps, data, len);
  while (lm_pb_next (&ps, &g, &bad))
    {
      if (g.field == 3 && g.wire == 0 && g.varint)
        ndim = -1;
      if (g.field != 2 || g.wire != 2 || ndim < 0)
        continue;
      gint64 size = 0;
      lm_pb_init (&pd, g.data, g.len);
      while (lm_pb_next (&pd, &h, &bad))
        if (h.field == 1 && h.wire == 0)
          size = (gint64) h.varint;
      if (size < 0 || ndim >= LM_TF_MAX_DIMS)
        ndim = -1;
      else
        dims[ndim++] = size;
    }
  if (bad)
    return FALSE;
  n->ndim = ndim;
  if (ndim > 0)
    memcpy (n->dims, dims, (size_t) ndim * sizeof *dims);
  return TRUE;
}

/* AttrValue: list 1 {shape 7}, s 2, i 3, f 4, b 5, type 6, shape 7.
 * "_output_shapes" gives the node's shape (its first output's), "dtype"
 * or "T" its dtype; other scalar attributes go to the JSON. */
static gboolean
read_attr (const guint8 *data, size_t len, Node *n)
{
  LmPb pb, pv, pl;
  LmPbField f, g, h;
  gboolean bad = FALSE;
  g_autofree char *key = NULL;
  const guint8 *val = NULL;
  size_t val_len = 0;

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    if (f.field == 1 && f.wire == 2)
      g_free (key), key = pb_text (&f);
    else if (f.field == 2 && f.wire == 2)
      val = f.data, val_len = f.len;
  if (bad || key == NULL)
    return !bad;
  gboolean output_shapes = strcmp (key, "_output_shapes") == 0;
  lm_pb_init (&pv, val, val_len);
  while (lm_pb_next (&pv, &g, &bad))
    {
      if (output_shapes && g.field == 1 && g.wire == 2)
        {
          lm_pb_init (&pl, g.data, g.len);
          while (lm_pb_next (&pl, &h, &bad))
            if (h.field == 7 && h.wire == 2)
              {
                if (!read_shape (h.data, h.len, n))
                  return FALSE;
                break; /* the first output's */
              }
        }
      else if (output_shapes)
        continue;
      else if (g.field == 2 && g.wire == 2)
        {
          g_autofree char *s = pb_text (&g);
          if (*s && strcmp (s, "{}") != 0)
            {
              json_key (n->attrs, key);
              json_string (n->attrs, s);
            }
        }
      else if (g.field == 3 && g.wire == 0)
        {
          json_key (n->attrs, key);
          g_string_append_printf (n->attrs, "%" G_GINT64_FORMAT, (gint64) g.varint);
        }
      else if (g.field == 4 && g.wire == 5)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          float x = lm_pb_float (&g);
          json_key (n->attrs, key);
          if (x == x && x - x == 0) /* finite */
            g_string_append (n->attrs, g_ascii_dtostr (buf, sizeof buf, x));
          else
            g_string_append (n->attrs, "null");
        }
      else if (g.field == 5 && g.wire == 0)
        {
          json_key (n->attrs, key);
          g_string_append (n->attrs, g.varint ? "true" : "false");
        }
      else if (g.field == 6 && g.wire == 0)
        {
          const char *dt = dtype_name (g.varint);
          if (dt && (strcmp (key, "dtype") == 0 || strcmp (key, "T") == 0))
            g_free (n->dtype), n->dtype = g_strdup (dt);
          else if (dt)
            {
              json_key (n->attrs, key);
              json_string (n->attrs, dt);
            }
        }
      else if (g.field == 7 && g.wire == 2 && strcmp (key, "shape") == 0 && n->ndim < 0)
        {
          if (!read_shape (g.data, g.len, n))
            return FALSE;
        }
    }
  return !bad;
}

/* NodeDef: name 1, op 2, repeated input 3, device 4, map attr 5. */
static gboolean
read_node (const guint8 *data, size_t len, Node *n)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;

  n->inputs = g_ptr_array_new_with_free_func (g_free);
  n->attrs = g_string_new (NULL);
  n->ndim = -1;
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.wire != 2)
        continue;
      switch (f.field)
        {
        case 1: g_free (n->name); n->name = pb_text (&f); break;
        case 2: g_free (n->op); n->op = pb_text (&f); break;
        case 3: g_ptr_array_add (n->inputs, pb_text (&f)); break;
        case 4: g_free (n->device); n->device = pb_text (&f); break;
        case 5:
          if (!read_attr (f.data, f.len, n))
            return FALSE;
          break;
        default: break;
        }
    }
  return !bad;
}

/* "Net/Sequential[features]/Conv2d[0]" from the second part on ->
 * "features.0"; parts without brackets are taken as they are. */
static char *
module_path (char **parts, int from, int to)
{
  GString *s = g_string_new (NULL);

  for (int i = from; i < to; i++)
    {
      const char *p = parts[i], *open = strchr (p, '[');
      size_t plen = strlen (p);
      if (s->len)
        g_string_append_c (s, '.');
      if (open && plen > 0 && p[plen - 1] == ']')
        g_string_append_len (s, open + 1, (gssize) (p + plen - 1 - (open + 1)));
      else
        g_string_append (s, p);
    }
  return g_string_free (s, FALSE);
}

/* An input's node name: "^name" (control) and "name:1" (an output
 * other than the first) name the node "name". */
static const char *
input_node (const char *input, char **owned)
{
  const char *colon = strrchr (input, ':');

  *owned = NULL;
  if (*input == '^')
    input++;
  if (colon && colon[1] && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    return *owned = g_strndup (input, (gsize) (colon - input));
  return input;
}

lm_graph *
lm_tb_graph_from_graphdef (const guint8 *data, size_t len, const char *name, GError **error)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE, pytorch = FALSE;
  g_autoptr (GArray) nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  lm_graph *g = NULL;

  g_array_set_clear_func (nodes, (GDestroyNotify) node_clear);
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 1 || f.wire != 2) /* repeated NodeDef node */
        continue;
      g_array_set_size (nodes, nodes->len + 1);
      Node *n = &g_array_index (nodes, Node, nodes->len - 1);
      if (!read_node (f.data, f.len, n))
        {
          bad = TRUE;
          break;
        }
      if (n->name == NULL || *n->name == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "node %u has no name",
                       nodes->len);
          return NULL;
        }
      if (n->op == NULL || *n->op == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "node '%s' has no op", n->name);
          return NULL;
        }
      if (g_hash_table_contains (ids, n->name))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "two nodes are named '%s'",
                       n->name);
          return NULL;
        }
      g_hash_table_insert (ids, n->name, GUINT_TO_POINTER (nodes->len));
      if (strstr (n->op, "::") || strcmp (n->op, "IO Node") == 0)
        pytorch = TRUE;
    }
  if (bad)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "its bytes are not a GraphDef");
      return NULL;
    }
  if (nodes->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the GraphDef has no nodes");
      return NULL;
    }
  if (lm_graph_new (&g, name) != LM_OK)
    goto failed;
  for (guint i = 0; i < nodes->len; i++)
    {
      Node *n = &g_array_index (nodes, Node, i);
      g_auto (GStrv) parts = g_strsplit (n->name, "/", -1);
      int np = (int) g_strv_length (parts);
      g_autofree char *module = NULL, *label = NULL;
      const char *op = n->op;
      gboolean leaf = FALSE;

      if (pytorch && strcmp (op, "IO Node") == 0)
        {
          op = n->inputs->len == 0 ? "input" : "output";
          module = g_strdup ("");
          label = g_strdup (parts[np - 1]);
        }
      else if (pytorch && strcmp (op, "prim::GetAttr") == 0 && np >= 3)
        {
          /* Net/Linear[fc1]/weight/weight.1: parameter weight of fc1 */
          op = "parameter";
          module = module_path (parts, 1, np - 2);
          label = *module ? g_strconcat (module, ".", parts[np - 2], NULL) : g_strdup (parts[np - 2]);
          leaf = TRUE;
        }
      else
        {
          if (pytorch && g_str_has_prefix (op, "aten::"))
            op += strlen ("aten::");
          module = module_path (parts, pytorch ? 1 : 0, np - 1);
          label = g_strdup (n->name);
        }
      /* control inputs: listed, not drawn */
      g_autoptr (GString) control = g_string_new (NULL);
      for (guint k = 0; k < n->inputs->len; k++)
        {
          const char *in = n->inputs->pdata[k];
          if (*in != '^')
            continue;
          g_string_append_c (control, control->len ? ',' : '[');
          json_string (control, in + 1);
        }
      if (control->len)
        {
          g_string_append_c (control, ']');
          json_key (n->attrs, "control_inputs");
          g_string_append (n->attrs, control->str);
        }
      g_autofree char *attrs = n->attrs->len ? g_strdup_printf ("{%s}", n->attrs->str) : NULL;
      lm_graph_node gn = {
        .id = i, .op = op, .name = label, .module = module,
        .shape = n->ndim > 0 ? n->dims : NULL, .ndim = n->ndim, .dtype = n->dtype,
        .device = n->device && *n->device ? n->device : NULL, .attrs_json = attrs,
      };
      if (lm_graph_add_node (g, &gn) != LM_OK)
        goto failed;
      n->leaf = leaf;
    }
  for (guint i = 0; i < nodes->len; i++)
    {
      Node *n = &g_array_index (nodes, Node, i);
      int slot = 0;
      if (n->leaf)
        continue;
      for (guint k = 0; k < n->inputs->len; k++)
        {
          const char *in = n->inputs->pdata[k];
          g_autofree char *owned = NULL;
          if (*in == '^')
            continue;
          gpointer src = g_hash_table_lookup (ids, input_node (in, &owned));
          if (src != NULL && lm_graph_add_edge (g, GPOINTER_TO_UINT (src) - 1, i, slot) != LM_OK)
            goto failed;
          slot++;
        }
    }
  return g;

failed:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s", lm_log_last_error ());
  lm_graph_free (g);
  return NULL;
}
