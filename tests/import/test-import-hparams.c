/* test-import-hparams.c: HParams metrics that live in a sub-run, as
 * Keras' TensorBoard callback with hp.KerasCallback logs them, through
 * lumen-import, the HParams view's data and lumen-export; and the same
 * logs with the experiment written once in the folder above the sessions
 * (TensorFlow's HParams tutorial) or not at all (hp.hparams() alone, the
 * metrics inferred from the scalar tags), which show the same columns.
 *
 * The event files are written here: sessions "run-0" and "run-1" hold the
 * hparams (experiment and session start), their "train" and "validation"
 * folders the epoch scalars, and the experiment's metrics name those
 * folders as their group (hp.Metric("epoch_accuracy",
 * group="validation")).  Imported, the HParams record of each session has
 * the metrics "train.epoch_loss", "validation.epoch_accuracy" and
 * "validation.epoch_loss" (TensorBoard's column names) with the last
 * values of the sub-runs' scalars, lr and validation.epoch_accuracy the
 * experiment's display names and descriptions, and the hparam columns the
 * experiment's hparam_infos, "batch" (logged by none) then "lr";
 * exported and imported again, the same.
 */
#include "lm-tb-export.h"
#include "lm-tb-import.h"
#include "tb-messages.h"
#include "../logging/log-test-util.h"

#include <math.h>

#include "lm-test-records.h"
#include "lm-tfevents.h"

#define T0 1700000000.0

/* Appends Event {wall_time, step, summary {value}} as a TFRecord. */
static void
add_event (GByteArray *file, gint64 step, const GByteArray *value)
{
  g_autoptr (GByteArray) summary = g_byte_array_new ();
  g_autoptr (GByteArray) ev = g_byte_array_new ();

  lm_pbw_message (summary, 1, value);
  lm_pbw_double (ev, 1, T0 + (double) step);
  lm_pbw_varint (ev, 2, (guint64) step);
  lm_pbw_message (ev, 5, summary);
  lm_tfrecord_frame (file, ev->data, ev->len);
}

/* Writes file as <src>/<run>/events.out.tfevents.1700000000.host.1.0. */
static void
save_events (const char *src, const char *run, const GByteArray *file)
{
  g_autofree char *dir = g_build_filename (src, run, NULL);
  g_autofree char *path = g_build_filename (dir, "events.out.tfevents.1700000000.host.1.0", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, NULL));
}

/* Summary.Value {tag "_hparams_/<name>", metadata {plugin_data {"hparams",
 * HParamsPluginData {version 0, <field> body}}}}. */
static void
add_hparams_event (GByteArray *file, const char *name, guint32 field, const GByteArray *body)
{
  g_autoptr (GByteArray) content = g_byte_array_new ();
  g_autoptr (GByteArray) plugin = g_byte_array_new ();
  g_autoptr (GByteArray) meta = g_byte_array_new ();
  g_autoptr (GByteArray) value = g_byte_array_new ();
  g_autofree char *tag = g_strconcat ("_hparams_/", name, NULL);

  lm_pbw_message (content, field, body);
  lm_pbw_string (plugin, 1, "hparams");
  lm_pbw_message (plugin, 2, content);
  lm_pbw_message (meta, 1, plugin);
  lm_pbw_string (value, 1, tag);
  lm_pbw_message (value, 9, meta);
  add_event (file, 0, value);
}

/* Where hp.hparams_config's experiment is written. */
typedef enum
{
  EXPERIMENT_IN_SESSION,   /* each session's folder (hp.KerasCallback) */
  EXPERIMENT_IN_PARENT,    /* once, the folder above the sessions */
  EXPERIMENT_NONE,         /* hp.hparams() alone */
} Layout;

/* The experiment's metrics with their groups (none without `metrics`:
 * hp.hparams_config(hparams=..., metrics=[])), and the display names and
 * descriptions of lr and validation.epoch_accuracy (hp.HParam('lr',
 * display_name='Learning rate', description=...)). */
static void
add_experiment_of (GByteArray *file, gboolean with_metrics)
{
  static const char *const metrics[][2] = {
    { "validation", "epoch_accuracy" }, { "train", "epoch_loss" }, { "validation", "epoch_loss" },
  };
  g_autoptr (GByteArray) exp = g_byte_array_new ();
  g_autoptr (GByteArray) lr = g_byte_array_new ();

  g_autoptr (GByteArray) batch = g_byte_array_new ();

  /* hparam_infos: "batch", which no session logs, then lr */
  lm_pbw_string (batch, 1, "batch");
  lm_pbw_message (exp, 4, batch);
  lm_pbw_string (lr, 1, "lr");   /* HParamInfo {name 1, display_name 2, description 3} */
  lm_pbw_string (lr, 2, "Learning rate");
  lm_pbw_string (lr, 3, "Adam's step size");
  lm_pbw_message (exp, 4, lr);    /* Experiment.hparam_infos */

  for (guint i = 0; with_metrics && i < G_N_ELEMENTS (metrics); i++)
    {
      g_autoptr (GByteArray) name = g_byte_array_new ();
      g_autoptr (GByteArray) info = g_byte_array_new ();

      lm_pbw_string (name, 1, metrics[i][0]);   /* MetricName {group 1, tag 2} */
      lm_pbw_string (name, 2, metrics[i][1]);
      lm_pbw_message (info, 1, name);
      if (i == 0)   /* MetricInfo {display_name 3, description 4} */
        {
          lm_pbw_string (info, 3, "Val. accuracy");
          lm_pbw_string (info, 4, "top-1, held-out set");
        }
      lm_pbw_message (exp, 5, info);            /* Experiment.metric_infos */
    }
  add_hparams_event (file, "experiment", 2, exp);
}

static void
add_experiment (GByteArray *file)
{
  add_experiment_of (file, TRUE);
}

/* A session as hp.hparams writes it: the session's lr, after the
 * experiment where the layout has one in the session's folder. */
static void
write_session (const char *src, const char *run, double lr, Layout layout)
{
  g_autoptr (GByteArray) file = g_byte_array_new ();
  g_autoptr (GByteArray) ssi = g_byte_array_new ();
  g_autoptr (GByteArray) entry = g_byte_array_new ();
  g_autoptr (GByteArray) number = g_byte_array_new ();

  if (layout == EXPERIMENT_IN_SESSION)
    add_experiment (file);
  lm_pbw_double (number, 2, lr);                /* Value.number_value */
  lm_pbw_string (entry, 1, "lr");
  lm_pbw_message (entry, 2, number);
  lm_pbw_message (ssi, 1, entry);               /* SessionStartInfo.hparams */
  add_hparams_event (file, "session_start_info", 3, ssi);
  save_events (src, run, file);
}

typedef struct
{
  const char *tag;
  int n;           /* epochs logged */
  float v[2];
} Epochs;

/* <session>/<sub>'s event file: each of the n series' values at epochs
 * 0.., the epochs in order, as Keras writes them at each epoch's end. */
static void
write_epochs (const char *src, const char *session, const char *sub, const Epochs *series, int n)
{
  g_autofree char *run = g_build_filename (session, sub, NULL);
  g_autoptr (GByteArray) file = g_byte_array_new ();

  for (int step = 0; step < 2; step++)
    for (int k = 0; k < n; k++)
      if (step < series[k].n)
        {
          g_autoptr (GByteArray) value = g_byte_array_new ();

          lm_pbw_string (value, 1, series[k].tag);
          lm_pbw_float (value, 2, series[k].v[step]);   /* simple_value */
          add_event (file, step, value);
        }
  save_events (src, run, file);
}

/* Two sessions with the epochs of their train and validation runs, in
 * the folder src, the experiment where layout puts it. */
static void
write_keras_logs (const char *src, Layout layout)
{
  static const Epochs train0[] = { { "epoch_loss", 2, { 0.9f, 0.5f } } };
  static const Epochs val0[] = { { "epoch_loss", 2, { 1.0f, 0.75f } },
                                 { "epoch_accuracy", 2, { 0.5f, 0.625f } } };
  static const Epochs train1[] = { { "epoch_loss", 2, { 0.8f, 0.25f } } };
  /* run-1's validation logged its accuracy once and never its loss */
  static const Epochs val1[] = { { "epoch_accuracy", 1, { 0.75f } } };

  if (layout == EXPERIMENT_IN_PARENT)
    {
      g_autoptr (GByteArray) file = g_byte_array_new ();

      add_experiment (file);
      save_events (src, "", file);
    }
  write_session (src, "run-0", 0.01, layout);
  write_epochs (src, "run-0", "train", train0, G_N_ELEMENTS (train0));
  write_epochs (src, "run-0", "validation", val0, G_N_ELEMENTS (val0));
  write_session (src, "run-1", 0.1, layout);
  write_epochs (src, "run-1", "train", train1, G_N_ELEMENTS (train1));
  write_epochs (src, "run-1", "validation", val1, G_N_ELEMENTS (val1));
}

/* The metric `name` of the HParams record of run in feed, NaN when it
 * has no value; fails when the run has no such metric, unless `absent`
 * (the view's "–" in a column of another run's metric). */
static double
metric_value_in (LmRecordFeed *feed, const char *run, const char *name, gboolean absent)
{
  LmRecordSeries *s = lm_record_feed_find (feed, run, "");
  LmHparamsRecord *rec;

  g_assert_nonnull (s);
  rec = s->items->pdata[0];
  for (guint i = 0; i < rec->metrics->len; i++)
    if (strcmp (rec->metrics->pdata[i], name) == 0)
      return rec->metric_logged[i] ? rec->metric_values[i] : NAN;
  if (absent)
    return NAN;
  g_test_message ("run %s has no metric %s", run, name);
  g_assert_not_reached ();
}

static double
metric_value (LmRecordFeed *feed, const char *run, const char *name)
{
  return metric_value_in (feed, run, name, FALSE);
}

/* What the HParams view gets for the imported logs in dst: the same
 * columns and values whichever layout they came in. */
static void
assert_hparams (const char *dst, Layout layout)
{
  g_autoptr (LmRunStore) store = lm_test_store_open (dst);
  g_autoptr (LmRecordFeed) feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  LmHparamsRecord *rec;

  rec = lm_record_feed_find (feed, "run-0", "")->items->pdata[0];
  g_assert_cmpuint (rec->hparams->len, ==, 1);
  g_assert_cmpfloat (((LmHpValue *) rec->hparams->pdata[0])->number, ==, 0.01);
  g_assert_cmpuint (rec->metrics->len, ==, 3);
  g_assert_cmpstr (rec->metrics->pdata[0], ==, "train.epoch_loss");
  g_assert_cmpstr (rec->metrics->pdata[1], ==, "validation.epoch_accuracy");
  g_assert_cmpstr (rec->metrics->pdata[2], ==, "validation.epoch_loss");
  g_assert_cmpfloat (metric_value (feed, "run-0", "train.epoch_loss"), ==, 0.5);
  g_assert_cmpfloat (metric_value (feed, "run-0", "validation.epoch_accuracy"), ==, 0.625);
  g_assert_cmpint (rec->metric_steps[1], ==, 1);
  g_assert_cmpfloat (metric_value (feed, "run-0", "validation.epoch_loss"), ==, 0.75);
  g_assert_cmpfloat (metric_value (feed, "run-1", "train.epoch_loss"), ==, 0.25);
  g_assert_cmpfloat (metric_value (feed, "run-1", "validation.epoch_accuracy"), ==, 0.75);
  /* run-1's validation logged no loss: "–", as TensorBoard; inferred
   * from the scalar tags, it is a column of run-0's alone */
  g_assert_true (isnan (metric_value_in (feed, "run-1", "validation.epoch_loss",
                                         layout == EXPERIMENT_NONE)));
  /* the sub-runs are runs of their own, without hparams */
  g_assert_null (lm_record_feed_find (feed, "run-0/validation", ""));
  /* the experiment's display names and descriptions, for both sessions;
   * none where there is no experiment */
  for (int i = 0; i < 2; i++)
    {
      LmHparamsRecord *r = lm_record_feed_find (feed, i ? "run-1" : "run-0", "")->items->pdata[0];
      g_autofree char *lr_key = lm_hparams_label_key ("lr", FALSE);
      g_autofree char *acc_key = lm_hparams_label_key ("validation.epoch_accuracy", TRUE);
      LmHpLabel *lr = g_hash_table_lookup (r->labels, lr_key);
      LmHpLabel *acc = g_hash_table_lookup (r->labels, acc_key);

      if (layout == EXPERIMENT_NONE)
        {
          g_assert_cmpuint (g_hash_table_size (r->labels), ==, 0);
          g_assert_null (r->columns);
          continue;
        }
      /* the experiment's hparams are the columns, in its order */
      g_assert_nonnull (r->columns);
      g_assert_cmpuint (r->columns->len, ==, 2);
      g_assert_cmpstr (r->columns->pdata[0], ==, "batch");
      g_assert_cmpstr (r->columns->pdata[1], ==, "lr");
      g_assert_cmpuint (g_hash_table_size (r->labels), ==, 2);
      g_assert_nonnull (lr);
      g_assert_cmpstr (lr->display_name, ==, "Learning rate");
      g_assert_cmpstr (lr->description, ==, "Adam's step size");
      g_assert_nonnull (acc);
      g_assert_cmpstr (acc->display_name, ==, "Val. accuracy");
      g_assert_cmpstr (acc->description, ==, "top-1, held-out set");
    }
}

/* Whether the event file(s) of dir hold the string s. */
static gboolean
events_hold (const char *dir, const char *s)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean found = FALSE;

  g_assert_nonnull (d);
  while (!found && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_str_has_prefix (name, "events.out.tfevents.")
          && g_file_get_contents (path, &data, &len, NULL))
        for (gsize i = 0; !found && i + strlen (s) <= len; i++)
          found = memcmp (data + i, s, strlen (s)) == 0;
    }
  return found;
}

/* The Keras logs of `layout`, in the folder `folder`, imported; exported
 * and imported back, the same. */
static void
import_layout (const char *folder, Layout layout)
{
  g_autofree char *top = tmpdir_new ();
  g_autofree char *src = g_build_filename (top, folder, NULL);
  g_autofree char *dst = g_build_filename (top, "imported", NULL);
  g_autofree char *mid = g_build_filename (top, "exported", NULL);
  g_autofree char *back = g_build_filename (top, "back", NULL);
  g_autofree char *session = g_build_filename (mid, "run-0", NULL);
  LmTbExportOptions o = { .message = collect };
  Messages m;

  write_keras_logs (src, layout);
  g_assert_cmpuint (tb_import_once (src, dst, &m), ==, 0);
  messages_clear (&m);
  assert_hparams (dst, layout);

  messages_init (&m);
  o.message_data = &m;
  g_assert_cmpuint (lm_tb_export (dst, mid, &o), ==, 0);
  messages_clear (&m);
  /* metrics inferred: no experiment, which TensorBoard would take for
   * one without metrics */
  g_assert_true (events_hold (session, "_hparams_/session_start_info"));
  g_assert_cmpint (events_hold (session, "_hparams_/experiment"), ==, layout != EXPERIMENT_NONE);
  g_assert_cmpuint (tb_import_once (mid, back, &m), ==, 0);
  messages_clear (&m);
  assert_hparams (back, layout);
  tmpdir_free (g_steal_pointer (&top));
}

/* The experiment in each session's folder, as hp.KerasCallback writes it. */
static void
test_keras_groups (void)
{
  import_layout ("logs", EXPERIMENT_IN_SESSION);
}

/* hp.hparams_config written once into the folder above the sessions
 * (TensorFlow's HParams tutorial): every session takes its metrics. */
static void
test_parent_experiment (void)
{
  import_layout ("hparam_tuning", EXPERIMENT_IN_PARENT);
}

/* No experiment at all: the metrics are the scalar tags of the session
 * and its sub-runs, as TensorBoard infers them. */
static void
test_inferred_metrics (void)
{
  import_layout ("logs", EXPERIMENT_NONE);
}

/* Appends file to <src>/<run>'s event file, as its writer would. */
static void
append_events (const char *src, const char *run, const GByteArray *file)
{
  g_autofree char *events = g_build_filename (src, run, "events.out.tfevents.1700000000.host.1.0", NULL);
  FILE *f = fopen (events, "ab");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (file->data, 1, file->len, f), ==, file->len);
  g_assert_cmpint (fclose (f), ==, 0);
}

/* lumen-import --follow over the logs without an experiment, the
 * experiment then appended to the event file of `run` ("": the folder
 * above the sessions) as its writer would, before the next poll: what
 * the HParams view gets is layout's. */
static void
follow_late_experiment (const char *folder, const char *run, Layout layout)
{
  g_autofree char *top = tmpdir_new ();
  g_autofree char *src = g_build_filename (top, folder, NULL);
  g_autofree char *dst = g_build_filename (top, "imported", NULL);
  g_autoptr (GByteArray) file = g_byte_array_new ();
  LmTbImport *imp;
  Messages m;

  write_keras_logs (src, EXPERIMENT_NONE);
  messages_init (&m);
  imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  lm_tb_import_poll (imp);
  lm_tb_import_flush (imp);
  add_experiment (file);
  append_events (src, run, file);
  lm_tb_import_poll (imp);
  g_assert_cmpuint (lm_tb_import_finish (imp, FALSE), ==, 0);
  lm_tb_import_free (imp);
  messages_clear (&m);
  assert_hparams (dst, layout);
  tmpdir_free (g_steal_pointer (&top));
}

/* lumen-import --follow: the experiment written into the folder above
 * after the sessions were read (hp.hparams_config run late) reaches them
 * at the next poll, its metrics, display names and columns as if it had
 * come first, where they kept inferred metrics. */
static void
test_late_parent_experiment (void)
{
  follow_late_experiment ("hparam_tuning", "", EXPERIMENT_IN_PARENT);
}

/* lumen-import --follow: a session's own experiment written after its
 * session (hp.hparams, then hp.hparams_config into the same folder)
 * reaches it at the next poll, and the other session, which has none, as
 * the one experiment of the logdir; both as if it had come first, where
 * the session kept its inferred metrics. */
static void
test_late_own_experiment (void)
{
  follow_late_experiment ("logs", "run-0", EXPERIMENT_IN_SESSION);
}

/* The folder above the sessions holds an experiment without metrics
 * (hp.hparams_config(hparams=..., metrics=[])), which both sessions take;
 * then run-0's own, with metrics, comes after its session (later in its
 * file, or appended under --follow when `follow`): run-0 takes its own,
 * its metrics' display names with it, where it kept the folder above's
 * (no metric labels); run-1 keeps the folder above's. */
static void
own_experiment_after_another (gboolean follow)
{
  g_autofree char *top = tmpdir_new ();
  g_autofree char *src = g_build_filename (top, "hparam_tuning", NULL);
  g_autofree char *dst = g_build_filename (top, "imported", NULL);
  g_autoptr (GByteArray) parent = g_byte_array_new ();
  g_autoptr (GByteArray) own = g_byte_array_new ();
  g_autofree char *acc_key = lm_hparams_label_key ("validation.epoch_accuracy", TRUE);
  g_autofree char *lr_key = lm_hparams_label_key ("lr", FALSE);
  LmTbImport *imp;
  Messages m;

  write_keras_logs (src, EXPERIMENT_NONE);
  add_experiment_of (parent, FALSE);
  save_events (src, "", parent);
  add_experiment (own);
  if (!follow)
    append_events (src, "run-0", own);
  messages_init (&m);
  imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  lm_tb_import_poll (imp);
  if (follow)
    {
      lm_tb_import_flush (imp);
      append_events (src, "run-0", own);
      lm_tb_import_poll (imp);
    }
  g_assert_cmpuint (lm_tb_import_finish (imp, FALSE), ==, 0);
  lm_tb_import_free (imp);
  messages_clear (&m);

  g_autoptr (LmRunStore) store = lm_test_store_open (dst);
  g_autoptr (LmRecordFeed) feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  for (int i = 0; i < 2; i++)
    {
      LmHparamsRecord *rec = lm_record_feed_find (feed, i ? "run-1" : "run-0", "")->items->pdata[0];
      LmHpLabel *acc = g_hash_table_lookup (rec->labels, acc_key);
      LmHpLabel *lr = g_hash_table_lookup (rec->labels, lr_key);

      g_assert_nonnull (lr);
      g_assert_cmpstr (lr->display_name, ==, "Learning rate");
      g_assert_cmpuint (rec->metrics->len, ==, i ? 2 : 3);
      if (i == 1)
        {
          g_assert_null (acc);
          continue;
        }
      g_assert_nonnull (acc);
      g_assert_cmpstr (acc->display_name, ==, "Val. accuracy");
      g_assert_cmpstr (acc->description, ==, "top-1, held-out set");
    }
  g_assert_cmpfloat (metric_value (feed, "run-0", "validation.epoch_accuracy"), ==, 0.625);
  tmpdir_free (g_steal_pointer (&top));
}

static void
test_own_experiment_after_parent (void)
{
  own_experiment_after_another (FALSE);
}

static void
test_follow_own_experiment_after_parent (void)
{
  own_experiment_after_another (TRUE);
}

/* The sessions' HParams records in dst when their experiment names
 * display names but no metric: the metrics those inferred from the scalar
 * tags of each session's sub-runs, the labels and columns the
 * experiment's. */
static void
assert_labels_inferred (const char *dst)
{
  g_autoptr (LmRunStore) store = lm_test_store_open (dst);
  g_autoptr (LmRecordFeed) feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  g_autofree char *lr_key = lm_hparams_label_key ("lr", FALSE);

  for (int i = 0; i < 2; i++)
    {
      LmHparamsRecord *rec = lm_record_feed_find (feed, i ? "run-1" : "run-0", "")->items->pdata[0];
      LmHpLabel *lr = g_hash_table_lookup (rec->labels, lr_key);

      g_assert_cmpuint (rec->metrics->len, ==, i ? 2 : 3);
      g_assert_cmpstr (rec->metrics->pdata[0], ==, "train.epoch_loss");
      g_assert_cmpstr (rec->metrics->pdata[1], ==, "validation.epoch_accuracy");
      g_assert_nonnull (lr);
      g_assert_cmpstr (lr->display_name, ==, "Learning rate");
      g_assert_cmpstr (lr->description, ==, "Adam's step size");
      g_assert_nonnull (rec->columns);
      g_assert_cmpuint (rec->columns->len, ==, 2);
      g_assert_cmpstr (rec->columns->pdata[0], ==, "batch");
    }
  g_assert_cmpfloat (metric_value (feed, "run-0", "validation.epoch_loss"), ==, 0.75);
  g_assert_cmpfloat (metric_value (feed, "run-1", "validation.epoch_accuracy"), ==, 0.75);
}

/* hp.hparams_config with display names and no metrics: lumen-export
 * writes the experiment, its hparams' display names, descriptions and
 * columns, and the metrics the HParams view infers (the scalar tags of
 * each session's sub-runs, with their groups), so that TensorBoard shows
 * both; imported back, the same.  It wrote no experiment, and the display
 * names were lost. */
static void
test_export_labels_without_metrics (void)
{
  g_autofree char *top = tmpdir_new ();
  g_autofree char *src = g_build_filename (top, "hparam_tuning", NULL);
  g_autofree char *dst = g_build_filename (top, "imported", NULL);
  g_autofree char *mid = g_build_filename (top, "exported", NULL);
  g_autofree char *back = g_build_filename (top, "back", NULL);
  g_autofree char *session = g_build_filename (mid, "run-0", NULL);
  g_autoptr (GByteArray) file = g_byte_array_new ();
  LmTbExportOptions o = { .message = collect };
  Messages m;

  write_keras_logs (src, EXPERIMENT_NONE);
  add_experiment_of (file, FALSE);
  save_events (src, "", file);
  g_assert_cmpuint (tb_import_once (src, dst, &m), ==, 0);
  messages_clear (&m);
  assert_labels_inferred (dst);

  messages_init (&m);
  o.message_data = &m;
  g_assert_cmpuint (lm_tb_export (dst, mid, &o), ==, 0);
  messages_clear (&m);
  g_assert_true (events_hold (session, "_hparams_/experiment"));
  g_assert_true (events_hold (session, "Learning rate"));
  g_assert_cmpuint (tb_import_once (mid, back, &m), ==, 0);
  messages_clear (&m);
  assert_labels_inferred (back);
  tmpdir_free (g_steal_pointer (&top));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import/hparams-groups", test_keras_groups);
  g_test_add_func ("/import/hparams-parent-experiment", test_parent_experiment);
  g_test_add_func ("/import/hparams-inferred", test_inferred_metrics);
  g_test_add_func ("/import/hparams-late-parent-experiment", test_late_parent_experiment);
  g_test_add_func ("/import/hparams-late-own-experiment", test_late_own_experiment);
  g_test_add_func ("/import/hparams-own-experiment-after-parent", test_own_experiment_after_parent);
  g_test_add_func ("/import/hparams-follow-own-experiment-after-parent",
                   test_follow_own_experiment_after_parent);
  g_test_add_func ("/import/hparams-export-labels-without-metrics", test_export_labels_without_metrics);
  return g_test_run ();
}
