/* lm-tfevents.h: reading (and writing) TensorBoard event files
 * (events.out.tfevents.*).
 *
 * What it is for: the TFRecord framing those files use (length, masked
 * CRC-32C of the length, data, masked CRC-32C of the data) and a small
 * protobuf wire decoder for the messages TensorBoard's writers put in
 * them (Event, Summary, HistogramProto, TensorProto).  Decoded values
 * point into the record's bytes: they live as long as the record.
 *
 * What it is not for: turning them into Lumen records (lm-tb-import.h),
 * or decoding every field of every message: what a writer may add and
 * Lumen cannot show is skipped by its wire type.
 */
#ifndef LM_TFEVENTS_H
#define LM_TFEVENTS_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------ CRC-32C */

guint32 lm_crc32c (const void *data, size_t n);
/* The CRC of data that follows the data crc is of: a CRC over pieces,
 * lm_crc32c_extend (lm_crc32c (a), b) == the CRC of a then b. */
guint32 lm_crc32c_extend (guint32 crc, const void *data, size_t n);
/* TFRecord's mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8. */
guint32 lm_crc32c_mask (guint32 crc);
guint32 lm_crc32c_masked (const void *data, size_t n);

/* ------------------------------------------------------------ TFRecord */

typedef enum
{
  LM_TFRECORD_OK,      /* *out holds the next record */
  LM_TFRECORD_END,     /* no whole record yet (end of file, or a record
                        * still being written): try again when it grows */
  LM_TFRECORD_CORRUPT, /* bad CRC or length: error says where */
  LM_TFRECORD_IO,      /* the file cannot be read: error says why */
} LmTfRecordStatus;

/* Reads the record starting at *offset of the file at path into out (its
 * data alone) and moves *offset past it.  On END *offset is unchanged. */
LmTfRecordStatus lm_tfrecord_read (int fd, const char *path, guint64 *offset,
                                   GByteArray *out, GError **error);

/* ------------------------------------------------------ protobuf wire */

typedef struct
{
  const guint8 *p, *end;
} LmPb;

typedef struct
{
  guint32 field;
  guint32 wire;     /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
  guint64 varint;   /* wire 0, 1 and 5: the value's bits */
  const guint8 *data; /* wire 2 */
  size_t len;
} LmPbField;

static inline void
lm_pb_init (LmPb *pb, const void *data, size_t len)
{
  pb->p = data;
  pb->end = (const guint8 *) data + len;
}

/* The next field, or FALSE at the end (*bad set when the bytes are not a
 * message: a cut varint, a length past the end, a group). */
gboolean lm_pb_next (LmPb *pb, LmPbField *f, gboolean *bad);
double lm_pb_double (const LmPbField *f); /* fixed64 as a double */
float lm_pb_float (const LmPbField *f);   /* fixed32 as a float */
/* A repeated double (fixed64) or float (fixed32) field, packed or not,
 * appended to out (doubles).  FALSE if its bytes are malformed. */
gboolean lm_pb_append_reals (const LmPbField *f, gboolean is_double, GArray *out);
/* A repeated varint field, packed or not, appended to out (guint64). */
gboolean lm_pb_append_varints (const LmPbField *f, GArray *out);

/* ------------------------------------------------------------- Event */

typedef struct
{
  double wall_time;
  gint64 step;
  const guint8 *summary; /* Summary message, NULL if none */
  size_t summary_len;
  gboolean file_version;
  double version;        /* file_version "brain.Event:N" as N; 0 if none
                          * or not in that form */
  const guint8 *graph;   /* graph_def (a GraphDef) or meta_graph_def (a
                          * MetaGraphDef), NULL if none */
  size_t graph_len;
  gboolean meta_graph;   /* graph is a MetaGraphDef */
  gboolean run_metadata; /* tagged_run_metadata */
  gboolean session_log;  /* session_log or log_message */
  int session_status;    /* SessionLog.status (LM_TF_SESSION_*); 0 if none */
} LmTfEvent;

/* SessionLog.SessionStatus */
enum
{
  LM_TF_SESSION_UNSPECIFIED = 0,
  LM_TF_SESSION_START = 1,
  LM_TF_SESSION_STOP = 2,
  LM_TF_SESSION_CHECKPOINT = 3,
};

gboolean lm_tf_event_parse (const guint8 *data, size_t len, LmTfEvent *ev);

/* TensorFlow's DataType numbers used here. */
enum
{
  LM_DT_FLOAT = 1,
  LM_DT_DOUBLE = 2,
  LM_DT_INT32 = 3,
  LM_DT_UINT8 = 4,
  LM_DT_INT16 = 5,
  LM_DT_INT8 = 6,
  LM_DT_STRING = 7,
  LM_DT_INT64 = 9,
  LM_DT_BOOL = 10,
  LM_DT_BFLOAT16 = 14,
  LM_DT_HALF = 19,
};

/* TensorBoard's mesh plugin (add_mesh): MeshPluginData.ContentType, the
 * part of a mesh a tensor holds; its tag is "<name>_<content type>". */
typedef enum
{
  LM_MESH_VERTEX = 1,
  LM_MESH_FACE = 2,
  LM_MESH_COLOR = 3,
} LmMeshContentType;

/* "VERTEX", "FACE", "COLOR" (metadata.py's get_instance_name suffix). */
const char *lm_mesh_content_type_name (LmMeshContentType type);

#define LM_TF_MAX_DIMS 8

typedef struct
{
  int dtype;
  int ndim;              /* -1: unknown rank */
  gint64 dims[LM_TF_MAX_DIMS];
  const guint8 *content; /* tensor_content, NULL if none */
  size_t content_len;
  gboolean half_bits;    /* reals holds half_val's bits */
  GArray *reals;         /* float_val / double_val / half_val / int*_val, as doubles */
  GPtrArray *strings;    /* string_val, GBytes */
} LmTfTensor;

typedef struct
{
  double min, max, num, sum, sum_squares;
  GArray *bucket_limit; /* doubles */
  GArray *bucket;       /* doubles */
} LmTfHisto;

typedef enum
{
  LM_TF_VALUE_NONE,
  LM_TF_VALUE_SIMPLE,
  LM_TF_VALUE_IMAGE,
  LM_TF_VALUE_HISTO,
  LM_TF_VALUE_AUDIO,
  LM_TF_VALUE_TENSOR,
  LM_TF_VALUE_OLD_HISTO,
} LmTfValueKind;

typedef struct
{
  char *tag;
  char *plugin_name;     /* "" when none */
  const guint8 *plugin_content;
  size_t plugin_content_len;
  LmTfValueKind kind;
  float simple_value;
  const guint8 *image;   /* Summary.Image.encoded_image_string */
  size_t image_len;
  int image_colorspace;  /* Summary.Image.colorspace: channels (0 when none) */
  const guint8 *audio;   /* Summary.Audio.encoded_audio_string */
  size_t audio_len;
  char *audio_type;      /* Summary.Audio.content_type ("" when none) */
  char *description;     /* SummaryMetadata.summary_description ("" when none) */
  LmTfHisto histo;
  LmTfTensor tensor;
} LmTfValue;

void lm_tf_value_clear (LmTfValue *v);
/* Calls fn for each Summary.Value of a Summary message; FALSE if the
 * message is malformed (values before the fault were passed on). */
typedef void (*LmTfValueFunc) (LmTfValue *v, gpointer user_data);
gboolean lm_tf_summary_foreach (const guint8 *data, size_t len, LmTfValueFunc fn,
                                gpointer user_data);

/* The most values lm_tf_tensor_numbers expands a tensor to: lumen-log's
 * cap on a batch of meshes (1 GiB of float32, 2 GiB as doubles). */
#define LM_TF_MAX_NUMEL (1 << 28)

/* The tensor's numbers (float, double, half, bfloat16 and integer types,
 * from tensor_content or the *_val fields), as doubles; NULL with error
 * for other types, a shape over LM_TF_MAX_NUMEL values (refused before
 * anything is allocated) or a size that does not match the shape. */
GArray *lm_tf_tensor_numbers (const LmTfTensor *t, GError **error);
/* A DT_STRING tensor's strings as TensorFlow's MakeNdarray reads
 * string_val (TensorBoard's plugins read them so): *n, its shape's count
 * of them, lm_tf_tensor_string giving each.  FALSE with error for another
 * dtype, an unknown shape or more strings than the shape holds. */
gboolean lm_tf_tensor_check_strings (const LmTfTensor *t, gint64 *n, GError **error);
/* String i of them: string_val[i], past the last one given that last one
 * repeated, none given an empty string.  Points into t. */
const guint8 *lm_tf_tensor_string (const LmTfTensor *t, gint64 i, gsize *len);
/* Number of elements its shape holds (1 for a scalar). */
gint64 lm_tf_tensor_numel (const LmTfTensor *t);
/* Its shape as messages name it: "[6, 2]", "[]" for a scalar. */
char *lm_tf_tensor_dup_shape (const LmTfTensor *t);

/* ------------------------------------------------- protobuf encoding */

/* Appenders of one field each to a message being built in b (for
 * lumen-export, lm-tfevents-write.c).  Like the official runtime they
 * write what they are given: leaving out proto3 defaults (0, "", false
 * outside a oneof) is the caller's part. */
void lm_pbw_varint (GByteArray *b, guint32 field, guint64 v);
void lm_pbw_double (GByteArray *b, guint32 field, double v);
void lm_pbw_float (GByteArray *b, guint32 field, float v);
void lm_pbw_bytes (GByteArray *b, guint32 field, const void *data, size_t len);
/* A bytes or message field's key and length only: its len bytes are the
 * caller's to write after it (a blob not copied into b). */
void lm_pbw_bytes_header (GByteArray *b, guint32 field, size_t len);
void lm_pbw_string (GByteArray *b, guint32 field, const char *s);
/* A nested message built in m (may be empty: a set, empty message). */
void lm_pbw_message (GByteArray *b, guint32 field, const GByteArray *m);
/* repeated double / float, packed (proto3's encoding) */
void lm_pbw_packed_doubles (GByteArray *b, guint32 field, const double *v, size_t n);
void lm_pbw_packed_floats (GByteArray *b, guint32 field, const float *v, size_t n);
/* repeated int32 / int64 / uint*, packed: the values as varints */
void lm_pbw_packed_varints (GByteArray *b, guint32 field, const guint64 *v, size_t n);
/* One TFRecord (length, masked CRC of it, data, masked CRC of the data)
 * appended to out. */
void lm_tfrecord_frame (GByteArray *out, const void *data, size_t len);

G_END_DECLS

#endif /* LM_TFEVENTS_H */
