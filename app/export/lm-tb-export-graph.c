/* lm-tb-export-graph.c: a Lumen graph as a TensorBoard GraphDef, the way
 * PyTorch's add_graph writes one (NodeDef name, op, inputs, device,
 * "_output_shapes" and "dtype" attributes; versions {producer: 22}).
 *
 * Node names are TensorBoard's name scopes: the module path with "/" for
 * "." ("features.0" -> "features/0/"), then the node's name (its op and
 * id when it has none), so the Graph plugin groups nodes by module and
 * lumen-import gives the module back.  A name already taken gets its
 * node id appended.  Not for: attributes other than dtype (Lumen keeps
 * them as JSON, TensorBoard's AttrValue is typed) or the graph's name
 * (an event file has one graph per event, unnamed).
 */
#include "lm-tb-export-private.h"
#include "lm-tfevents.h"

#include <string.h>

static int
dtype_number (const char *name)
{
  static const struct { const char *name; int dt; } map[] = {
    { "float32", LM_DT_FLOAT }, { "float64", LM_DT_DOUBLE }, { "int32", LM_DT_INT32 },
    { "uint8", LM_DT_UINT8 },   { "int16", LM_DT_INT16 },    { "int8", LM_DT_INT8 },
    { "string", LM_DT_STRING }, { "int64", LM_DT_INT64 },    { "bool", LM_DT_BOOL },
    { "bfloat16", LM_DT_BFLOAT16 }, { "float16", LM_DT_HALF },
  };

  for (guint i = 0; name && i < G_N_ELEMENTS (map); i++)
    if (strcmp (name, map[i].name) == 0)
      return map[i].dt;
  return 0;
}

/* "[64,128]" -> TensorShapeProto {dim {size: 64} dim {size: 128}};
 * FALSE when it is not a JSON array of integers. */
static gboolean
shape_proto (const char *json, GByteArray *out)
{
  const char *p = json;
  g_autoptr (GByteArray) dim = g_byte_array_new ();

  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '[')
    return FALSE;
  for (;;)
    {
      while (g_ascii_isspace (*p) || *p == ',')
        p++;
      if (*p == ']')
        return TRUE;
      char *end;
      gint64 size = g_ascii_strtoll (p, &end, 10);
      if (end == p)
        return FALSE;
      p = end;
      g_byte_array_set_size (dim, 0);
      if (size != 0)
        lm_pbw_varint (dim, 1, (guint64) size);
      lm_pbw_message (out, 2, dim);
    }
}

/* AttrValue map entry {key, value}. */
static void
add_attr (GByteArray *node, const char *key, const GByteArray *value)
{
  g_autoptr (GByteArray) entry = g_byte_array_new ();

  lm_pbw_string (entry, 1, key);
  lm_pbw_message (entry, 2, value);
  lm_pbw_message (node, 5, entry);
}

static char *
scope_name (const char *module, const char *name, const char *op, gint64 id)
{
  g_autofree char *base = name && *name ? g_strdup (name)
                                        : g_strdup_printf ("%s_%" G_GINT64_FORMAT, op, id);
  /* "/" would open a scope, "^" and ":N" mean control and output inputs */
  g_strdelimit (base, "/:^", '_');
  if (module == NULL || *module == '\0')
    return g_steal_pointer (&base);
  g_autofree char *scope = g_strdup (module);
  g_strdelimit (scope, ".", '/');
  return g_strconcat (scope, "/", base, NULL);
}

GByteArray *
lm_tb_export_graphdef (sqlite3 *db, gint64 graph_id, GError **error)
{
  sqlite3_stmt *st = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr (GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) inputs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                         (GDestroyNotify) g_ptr_array_unref);
  GByteArray *def = NULL;
  int rc;

  /* names first: an edge may point forwards */
  rc = sqlite3_prepare_v2 (db, "SELECT node_id, op, name, module FROM graph_nodes "
                           "WHERE graph_id = ?1 ORDER BY node_id", -1, &st, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (st, 1, graph_id);
  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      char *name = scope_name ((const char *) sqlite3_column_text (st, 3),
                               (const char *) sqlite3_column_text (st, 2),
                               (const char *) sqlite3_column_text (st, 1), id);
      if (g_hash_table_contains (taken, name))
        {
          char *own = g_strdup_printf ("%s_%" G_GINT64_FORMAT, name, id);
          g_free (name);
          name = own;
        }
      g_hash_table_add (taken, name);
      g_hash_table_insert (names, g_memdup2 (&id, sizeof id), name);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (st);
  rc = sqlite3_prepare_v2 (db, "SELECT src, dst FROM graph_edges WHERE graph_id = ?1 "
                           "ORDER BY dst, dst_slot", -1, &st, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (st, 1, graph_id);
  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 src = sqlite3_column_int64 (st, 0), dst = sqlite3_column_int64 (st, 1);
      const char *src_name = g_hash_table_lookup (names, &src);
      GPtrArray *in = g_hash_table_lookup (inputs, &dst);
      if (src_name == NULL)
        continue;
      if (in == NULL)
        {
          in = g_ptr_array_new ();
          g_hash_table_insert (inputs, g_memdup2 (&dst, sizeof dst), in);
        }
      g_ptr_array_add (in, (gpointer) src_name);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (st);

  def = g_byte_array_new ();
  rc = sqlite3_prepare_v2 (db, "SELECT node_id, op, shape, dtype, device FROM graph_nodes "
                           "WHERE graph_id = ?1 ORDER BY node_id", -1, &st, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (st, 1, graph_id);
  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      const char *op = (const char *) sqlite3_column_text (st, 1);
      const char *shape = (const char *) sqlite3_column_text (st, 2);
      const char *device = (const char *) sqlite3_column_text (st, 4);
      int dt = dtype_number ((const char *) sqlite3_column_text (st, 3));
      GPtrArray *in = g_hash_table_lookup (inputs, &id);
      g_autoptr (GByteArray) node = g_byte_array_new ();

      lm_pbw_string (node, 1, g_hash_table_lookup (names, &id));
      lm_pbw_string (node, 2, op ? op : "");
      for (guint i = 0; in && i < in->len; i++)
        lm_pbw_string (node, 3, in->pdata[i]);
      if (device && *device)
        lm_pbw_string (node, 4, device);
      g_autoptr (GByteArray) sp = g_byte_array_new ();
      if (shape && shape_proto (shape, sp))
        {
          /* AttrValue {list {shape {...}}} */
          g_autoptr (GByteArray) list = g_byte_array_new ();
          g_autoptr (GByteArray) value = g_byte_array_new ();
          lm_pbw_message (list, 7, sp);
          lm_pbw_message (value, 1, list);
          add_attr (node, "_output_shapes", value);
        }
      if (dt)
        {
          g_autoptr (GByteArray) value = g_byte_array_new ();
          lm_pbw_varint (value, 6, (guint64) dt);
          add_attr (node, "dtype", value);
        }
      lm_pbw_message (def, 1, node);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (st);
  {
    g_autoptr (GByteArray) versions = g_byte_array_new ();
    lm_pbw_varint (versions, 1, 22); /* producer, as PyTorch */
    lm_pbw_message (def, 4, versions);
  }
  return def;

failed:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "graph %" G_GINT64_FORMAT ": %s",
               graph_id, sqlite3_errmsg (db));
  sqlite3_finalize (st);
  if (def)
    g_byte_array_unref (def);
  return NULL;
}
