/* lm-tb-export-private.h: the parts of lumen-export with files of their
 * own.  Not installed. */
#ifndef LM_TB_EXPORT_PRIVATE_H
#define LM_TB_EXPORT_PRIVATE_H

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Lumen's graph graph_id of the open run db as a serialized GraphDef
 * (lm-tb-export-graph.c): a NodeDef per node (op, device, dtype and
 * _output_shapes attributes), its inputs in slot order.  NULL with error
 * when the rows cannot be read. */
GByteArray *lm_tb_export_graphdef (sqlite3 *db, gint64 graph_id, GError **error);

/* The PNG of an image logged with boxes (its `boxes` JSON), the boxes
 * burned in as PyTorch's add_image_with_boxes draws them
 * (lm-tb-export-boxes.c); *channels: the new PNG's, 3 or 4.  NULL with
 * error when the JSON or the PNG cannot be used. */
GBytes *lm_tb_export_burn_boxes (const void *png, gsize len, const char *boxes_json, int *channels,
                                 GError **error);

G_END_DECLS

#endif /* LM_TB_EXPORT_PRIVATE_H */
