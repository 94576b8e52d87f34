/* lm-records-read.c: SQL reads of histogram, image, text, audio, mesh, PR curve and hparams rows
 * (see lm-records.h, lm_records_read) and the record types' destructors.
 *
 * What it is for: turning rows into LmHistogram / LmImageMeta /
 * LmTextRecord / LmAudioMeta / LmMeshMeta / LmHparamsRecord on the feed's worker thread, with bad
 * rows kept and flagged (h->error, rec->error, meta->grid_error) rather
 * than dropped.  Grid JSON is parsed here, off the main thread
 * (lm-records-grid.c).
 * What it is not for: threads or polling (lm-records.c).
 */
#include "lm-records-private.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-reader-private.h"

GDestroyNotify
lm_record_item_free_func (LmRecordKind kind)
{
  switch (kind)
    {
    case LM_RECORD_HISTOGRAM: return (GDestroyNotify) lm_histogram_free;
    case LM_RECORD_IMAGE: return (GDestroyNotify) lm_image_meta_free;
    case LM_RECORD_TEXT: return (GDestroyNotify) lm_text_record_free;
    case LM_RECORD_AUDIO: return (GDestroyNotify) lm_audio_meta_free;
    case LM_RECORD_MESH: return (GDestroyNotify) lm_mesh_meta_free;
    case LM_RECORD_PR_CURVE: return (GDestroyNotify) lm_pr_curve_free;
    case LM_RECORD_CUSTOM_SCALARS: return (GDestroyNotify) lm_custom_scalars_unref;
    case LM_RECORD_HPARAMS: default: return (GDestroyNotify) lm_hparams_record_free;
    }
}

const char *
lm_record_kind_to_string (LmRecordKind kind)
{
  static const char *const names[] = { "histogram", "image", "text", "hparams", "pr_curve",
                                       "custom_scalars", "audio", "mesh" };

  return kind <= LM_RECORD_MESH ? names[kind] : "unknown";
}

void
lm_image_meta_free (LmImageMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->caption);
  g_free (meta->grid);
  g_clear_pointer (&meta->layout, lm_image_grid_unref);
  g_free (meta->grid_error);
  g_clear_pointer (&meta->boxes, lm_image_boxes_unref);
  g_free (meta->boxes_error);
  g_free (meta);
}

void
lm_audio_meta_free (LmAudioMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->label);
  g_free (meta);
}

void
lm_mesh_meta_free (LmMeshMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->config);
  g_free (meta);
}

void
lm_text_record_free (LmTextRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->value);
  g_free (rec->error);
  g_free (rec);
}

void
lm_pr_curve_free (LmPrCurve *curve)
{
  if (curve == NULL)
    return;
  g_free (curve->thresholds);
  g_free (curve->error);
  g_free (curve);
}

static void
hp_value_free (gpointer data)
{
  LmHpValue *v = data;

  g_free (v->name);
  g_free (v->string);
  g_free (v);
}

void
lm_hparams_record_free (LmHparamsRecord *rec)
{
  if (rec == NULL)
    return;
  g_ptr_array_unref (rec->hparams);
  g_ptr_array_unref (rec->metrics);
  g_free (rec->metric_values);
  g_free (rec->metric_steps);
  g_free (rec->metric_logged);
  g_clear_pointer (&rec->labels, g_hash_table_unref);
  g_clear_pointer (&rec->columns, g_ptr_array_unref);
  g_free (rec);
}

char *
lm_hparams_label_key (const char *name, gboolean metric)
{
  return g_strconcat (metric ? "m" : "h", name, NULL);
}

static void
hp_label_free (gpointer data)
{
  LmHpLabel *l = data;

  g_free (l->display_name);
  g_free (l->description);
  g_free (l);
}


/* ------------------------------------------------------------ SQL reads */

static double
column_double (sqlite3_stmt *st, int col)
{
  return sqlite3_column_type (st, col) == SQLITE_NULL ? NAN : sqlite3_column_double (st, col);
}

static char *
column_dup (sqlite3_stmt *st, int col)
{
  const char *s = (const char *) sqlite3_column_text (st, col);

  return s && g_utf8_validate (s, -1, NULL) ? g_strdup (s) : NULL;
}

static void
add_row (GHashTable *out, const char *tag, gpointer item, GDestroyNotify free_func)
{
  GPtrArray *rows = g_hash_table_lookup (out, tag);

  if (rows == NULL)
    {
      rows = g_ptr_array_new_with_free_func (free_func);
      g_hash_table_insert (out, g_strdup (tag), rows);
    }
  g_ptr_array_add (rows, item);
}

static gpointer
read_row (LmRecordKind kind, sqlite3_stmt *st)
{
  gint64 id = sqlite3_column_int64 (st, 0);
  gint64 step = sqlite3_column_int64 (st, 2);
  double wall = sqlite3_column_double (st, 3);

  if (kind == LM_RECORD_HISTOGRAM)
    {
      gint64 buckets = sqlite3_column_int64 (st, 8);
      LmHistogram *h = lm_histogram_new_from_blobs (
          id, step, wall, column_double (st, 4), column_double (st, 5), column_double (st, 6),
          sqlite3_column_int64 (st, 7), (guint) CLAMP (buckets, 0, G_MAXINT),
          sqlite3_column_blob (st, 9), sqlite3_column_bytes (st, 9),
          sqlite3_column_blob (st, 10), sqlite3_column_bytes (st, 10));

      h->sum = column_double (st, 11);
      h->sum_squares = column_double (st, 12);
      return h;
    }
  if (kind == LM_RECORD_IMAGE)
    {
      LmImageMeta *m = g_new0 (LmImageMeta, 1);

      m->id = id;
      m->step = step;
      m->wall_time = wall;
      m->width = sqlite3_column_int (st, 4);
      m->height = sqlite3_column_int (st, 5);
      m->channels = sqlite3_column_int (st, 6);
      m->caption = column_dup (st, 7);
      m->grid = column_dup (st, 8);
      /* A grid whose JSON cannot be used is still shown, without labels. */
      if (m->grid != NULL)
        m->layout = lm_image_grid_parse (m->grid, m->width, m->height, &m->grid_error);
      else if (sqlite3_column_type (st, 8) != SQLITE_NULL)
        m->grid_error = g_strdup ("grid JSON: not valid UTF-8");
      /* NULL (a still, or a file from before videos): one frame, fps 0 */
      m->n_frames = MAX (sqlite3_column_int (st, 9), 1);
      m->fps = sqlite3_column_double (st, 10);
      if (!(m->fps > 0 && m->fps <= 1000))
        m->fps = m->n_frames > 1 ? 4 : 0; /* a bad rate plays at add_video's default */
      /* Boxes that cannot be used: the image shows without them. */
      if (sqlite3_column_type (st, 11) != SQLITE_NULL)
        m->boxes = lm_image_boxes_parse ((const char *) sqlite3_column_text (st, 11),
                                         &m->boxes_error);
      return m;
    }
  if (kind == LM_RECORD_AUDIO)
    {
      LmAudioMeta *a = g_new0 (LmAudioMeta, 1);

      a->id = id;
      a->step = step;
      a->wall_time = wall;
      a->sample_rate = sqlite3_column_double (st, 4);
      a->channels = sqlite3_column_int (st, 5);
      a->frames = sqlite3_column_int64 (st, 6);
      a->label = column_dup (st, 7);
      return a;
    }
  if (kind == LM_RECORD_MESH)
    {
      LmMeshMeta *m = g_new0 (LmMeshMeta, 1);

      m->id = id;
      m->step = step;
      m->wall_time = wall;
      m->n_vertices = sqlite3_column_int64 (st, 4);
      m->n_faces = sqlite3_column_int64 (st, 5);
      m->has_colors = sqlite3_column_int (st, 6) != 0;
      m->config = column_dup (st, 7);
      return m;
    }
  else
    {
      LmTextRecord *t = g_new0 (LmTextRecord, 1);
      const char *s = (const char *) sqlite3_column_text (st, 4);
      int len = sqlite3_column_bytes (st, 4);
      const char *bad = NULL;

      t->id = id;
      t->step = step;
      t->wall_time = wall;
      if (s == NULL)
        t->value = g_strdup ("");
      else if (g_utf8_validate_len (s, len, &bad))
        t->value = g_strndup (s, len);
      else
        t->error = g_strdup_printf ("text is not valid UTF-8 (bad byte at offset %ld of %d)",
                                    (long) (bad - s), len);
      return t;
    }
}

static gboolean
is_missing_table (sqlite3 *db)
{
  return strstr (sqlite3_errmsg (db), "no such table") != NULL;
}

/* Appends the metrics of `sql` (rows of group, tag; group "" for this
 * run's own; ?1 is bound to `param` where given) to rec, each named as
 * TensorBoard names it ("group.tag"). */
static int
read_metric_names (sqlite3 *db, const char *sql, const char *param, LmHparamsRecord *rec,
                   GPtrArray *groups)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

  if (rc == SQLITE_OK && param != NULL)
    rc = sqlite3_bind_text (st, 1, param, -1, SQLITE_STATIC);

  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *group = (const char *) sqlite3_column_text (st, 0);
      const char *tag = (const char *) sqlite3_column_text (st, 1);

      if (tag == NULL || group == NULL)
        continue;
      g_ptr_array_add (rec->metrics, *group ? g_strconcat (group, ".", tag, NULL) : g_strdup (tag));
      g_ptr_array_add (groups, g_strdup (group));
      g_ptr_array_add (groups, g_strdup (tag));
    }
  sqlite3_finalize (st);
  return rc;
}

/* The last value (largest step, then last logged) of scalar `tag` in db
 * into rec's metric i. */
static int
read_metric_value (sqlite3 *db, const char *tag, LmHparamsRecord *rec, guint i)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db,
      "SELECT s.value, s.step FROM scalars s JOIN tags t ON t.id = s.tag_id "
      "WHERE t.kind = 'scalar' AND t.name = ?1 ORDER BY s.step DESC, s.id DESC LIMIT 1",
      -1, &st, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, tag, -1, SQLITE_STATIC);
      rc = sqlite3_step (st);
    }
  if (rc == SQLITE_ROW)
    {
      rec->metric_values[i] = column_double (st, 0);
      rec->metric_steps[i] = sqlite3_column_int64 (st, 1);
      rec->metric_logged[i] = TRUE;   /* a NaN value is stored as NULL */
    }
  sqlite3_finalize (st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

#define SCALAR_TAGS_SQL "SELECT ?1, name FROM tags WHERE kind = 'scalar' ORDER BY name"

/* A session whose hparams name no metric (hp.hparams() without
 * hp.hparams_config, lm_writer_add_hparams with none) gets TensorBoard's
 * metrics of an experiment it infers: every scalar tag of the run, then
 * those of each run below it (the group its folder, "validation"), so
 * that both layouts show the same columns. */
static int
infer_metric_names (sqlite3 *db, const LmHparamsSubRun *sub_run, gpointer data, LmHparamsRecord *rec,
                    GPtrArray *groups)
{
  g_autoptr (GPtrArray) below = sub_run != NULL ? sub_run->list (data) : NULL;
  int rc = read_metric_names (db, SCALAR_TAGS_SQL, "", rec, groups);

  for (guint i = 0; below != NULL && rc == SQLITE_DONE && i < below->len; i++)
    {
      sqlite3 *from = sub_run->find (below->pdata[i], data);

      if (from != NULL && (rc = read_metric_names (from, SCALAR_TAGS_SQL, below->pdata[i], rec, groups))
          != SQLITE_DONE && is_missing_table (from))
        rc = SQLITE_DONE;   /* a run file still being created */
    }
  return rc;
}

gboolean
lm_hparams_present (gpointer db)
{
  sqlite3_stmt *st = NULL;
  gboolean found = sqlite3_prepare_v2 (db, "SELECT 1 FROM hparams LIMIT 1", -1, &st, NULL) == SQLITE_OK
                   && sqlite3_step (st) == SQLITE_ROW;

  sqlite3_finalize (st);
  return found;
}

/* rec->labels from hparam_labels (SQLITE_DONE; a file from before it has
 * none). */
static int
read_labels (sqlite3 *db, LmHparamsRecord *rec)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT kind, grp, name, display_name, description FROM hparam_labels",
                               -1, &st, NULL);

  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *kind = (const char *) sqlite3_column_text (st, 0);
      const char *group = (const char *) sqlite3_column_text (st, 1);
      const char *name = (const char *) sqlite3_column_text (st, 2);
      gboolean metric = g_strcmp0 (kind, "metric") == 0;
      LmHpLabel *l;

      if (name == NULL || group == NULL || (!metric && g_strcmp0 (kind, "hparam") != 0))
        continue;
      l = g_new0 (LmHpLabel, 1);
      l->display_name = column_dup (st, 3);
      l->description = column_dup (st, 4);
      {
        g_autofree char *full = metric && *group ? g_strconcat (group, ".", name, NULL) : g_strdup (name);

        g_hash_table_replace (rec->labels, lm_hparams_label_key (full, metric), l);
      }
    }
  sqlite3_finalize (st);
  return rc;
}

/* rec->columns from hparam_columns (SQLITE_DONE; NULL without rows, or in
 * a file from before it). */
static int
read_columns (sqlite3 *db, LmHparamsRecord *rec)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT name FROM hparam_columns ORDER BY i", -1, &st, NULL);

  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      char *name = column_dup (st, 0);

      if (name == NULL)
        continue;
      if (rec->columns == NULL)
        rec->columns = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (rec->columns, name);
    }
  sqlite3_finalize (st);
  return rc;
}

static gboolean
read_hparams (sqlite3 *db, const LmHparamsSubRun *sub_run, gpointer data, GHashTable *out, char **error)
{
  LmHparamsRecord *rec = g_new0 (LmHparamsRecord, 1);
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);   /* group, tag pairs */
  sqlite3_stmt *st = NULL;
  int rc;

  rec->hparams = g_ptr_array_new_with_free_func (hp_value_free);
  rec->metrics = g_ptr_array_new_with_free_func (g_free);
  rec->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, hp_label_free);
  rc = sqlite3_prepare_v2 (db, "SELECT name, type, value FROM hparams ORDER BY name", -1, &st, NULL);
  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      LmHpValue *v = g_new0 (LmHpValue, 1);
      const char *type = (const char *) sqlite3_column_text (st, 1);

      v->name = column_dup (st, 0);
      if (v->name == NULL)
        v->name = g_strdup ("(invalid name)");
      v->type = g_strcmp0 (type, "number") == 0 ? LM_HP_NUMBER
              : g_strcmp0 (type, "bool") == 0 ? LM_HP_BOOL : LM_HP_STRING;
      v->number = column_double (st, 2);
      if (v->type == LM_HP_BOOL)
        v->string = g_strdup (v->number != 0 ? "true" : "false");
      else if (v->type == LM_HP_NUMBER)
        v->string = g_strdup_printf ("%.6g", v->number);
      else if ((v->string = column_dup (st, 2)) == NULL)
        v->string = g_strdup ("");
      g_ptr_array_add (rec->hparams, v);
    }
  sqlite3_finalize (st);
  if (rc == SQLITE_DONE)
    rc = read_metric_names (db, "SELECT '', tag FROM hparam_metrics ORDER BY tag", NULL, rec, groups);
  /* metrics of a sub-run: a file from before them has no such table */
  if (rc == SQLITE_DONE
      && (rc = read_metric_names (db, "SELECT grp, tag FROM hparam_group_metrics ORDER BY grp, tag",
                                  NULL, rec, groups)) != SQLITE_DONE
      && is_missing_table (db))
    rc = SQLITE_DONE;
  /* display names: a file from before them has no such table */
  if (rc == SQLITE_DONE && (rc = read_labels (db, rec)) != SQLITE_DONE && is_missing_table (db))
    rc = SQLITE_DONE;
  if (rc == SQLITE_DONE && (rc = read_columns (db, rec)) != SQLITE_DONE && is_missing_table (db))
    rc = SQLITE_DONE;
  if (rc == SQLITE_DONE && rec->hparams->len > 0 && rec->metrics->len == 0)
    rc = infer_metric_names (db, sub_run, data, rec, groups);
  rec->metric_values = g_new (double, rec->metrics->len + 1);
  rec->metric_steps = g_new0 (gint64, rec->metrics->len + 1);
  rec->metric_logged = g_new0 (gboolean, rec->metrics->len + 1);
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  for (guint i = 0; i < rec->metrics->len; i++)
    rec->metric_values[i] = NAN;
  for (guint i = 0; rc == SQLITE_OK && i < rec->metrics->len; i++)
    {
      const char *group = groups->pdata[2 * i];
      /* a sub-run that is not there (yet): no value, as in TensorBoard */
      sqlite3 *from = *group == '\0' ? db : sub_run != NULL ? sub_run->find (group, data) : NULL;

      if (from != NULL && (rc = read_metric_value (from, groups->pdata[2 * i + 1], rec, i)) != SQLITE_OK)
        db = from;   /* the message names the file that failed */
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    {
      gboolean missing = is_missing_table (db);

      lm_hparams_record_free (rec);
      if (missing)
        return TRUE;
      *error = lm_reader_describe_error (db, rc, "reading hyperparameters", NULL);
      return FALSE;
    }
  if (rec->hparams->len == 0 && rec->metrics->len == 0)
    lm_hparams_record_free (rec);   /* runs without hparams are not listed */
  else
    add_row (out, "", rec, (GDestroyNotify) lm_hparams_record_free);
  return TRUE;
}

gboolean
lm_hparams_read (gpointer db, const LmHparamsSubRun *sub_run, gpointer data, GHashTable *out,
                 char **error)
{
  return read_hparams (db, sub_run, data, out, error);
}

/* More thresholds than a writer allows (LM_PR_CURVE_MAX_THRESHOLDS) means
 * a damaged row: no allocation is sized by it. */
#define PR_MAX_THRESHOLDS 10000

static LmPrCurve *
pr_curve_new (sqlite3_stmt *st)
{
  LmPrCurve *c = g_new0 (LmPrCurve, 1);
  gint64 nt = sqlite3_column_int64 (st, 4);

  c->id = sqlite3_column_int64 (st, 0);
  c->step = sqlite3_column_int64 (st, 2);
  c->wall_time = sqlite3_column_double (st, 3);
  if (nt < 2 || nt > PR_MAX_THRESHOLDS)
    {
      c->error = g_strdup_printf ("num_thresholds is %" G_GINT64_FORMAT ", not 2..%d", nt, PR_MAX_THRESHOLDS);
      return c;
    }
  c->n_thresholds = (guint) nt;
  c->thresholds = g_new (double, 7 * (gsize) nt);
  for (gsize i = 0; i < 7 * (gsize) nt; i++)
    c->thresholds[i] = NAN;
  c->tp = c->thresholds + nt;
  c->fp = c->tp + nt;
  c->tn = c->fp + nt;
  c->fn = c->tn + nt;
  c->precision = c->fn + nt;
  c->recall = c->precision + nt;
  return c;
}

/* Every threshold has its point, and precision and recall are in [0, 1];
 * else the curve keeps an error and no points. */
static void
pr_curve_check (LmPrCurve *c)
{
  for (guint i = 0; c->error == NULL && i < c->n_thresholds; i++)
    if (isnan (c->thresholds[i]))
      c->error = g_strdup_printf ("threshold %u of %u has no point", i, c->n_thresholds);
    else if (!(c->precision[i] >= 0 && c->precision[i] <= 1 && c->recall[i] >= 0 && c->recall[i] <= 1))
      c->error = g_strdup_printf ("threshold %u: precision %g or recall %g is not in [0, 1]", i,
                                  c->precision[i], c->recall[i]);
  if (c->error != NULL)
    {
      g_clear_pointer (&c->thresholds, g_free);
      c->tp = c->fp = c->tn = c->fn = c->precision = c->recall = NULL;
      c->n_thresholds = 0;
    }
}

/* Curves with their points, one row per point, in (c.id, p.i) order. */
#define PR_SELECT "SELECT c.id, t.name, c.step, c.wall_time, c.num_thresholds, p.i, p.threshold, " \
                  "p.tp, p.fp, p.tn, p.fn, p.precision, p.recall " \
                  "FROM pr_curves c JOIN tags t ON t.id = c.tag_id " \
                  "LEFT JOIN pr_curve_points p ON p.curve_id = c.id "

/* Steps st (a PR_SELECT) to its end, adding each curve to `out`; on a
 * failure part-way, the curve being read is dropped and *last_id left
 * below it, so that it comes again.  Returns the last sqlite3_step code. */
static int
step_pr_curves (sqlite3_stmt *st, gint64 *last_id, GHashTable *out)
{
  LmPrCurve *cur = NULL;
  g_autofree char *cur_tag = NULL;
  int rc;

  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0), i;

      if (cur == NULL || cur->id != id)
        {
          const char *tag = (const char *) sqlite3_column_text (st, 1);

          if (cur != NULL)
            {
              pr_curve_check (cur);
              add_row (out, cur_tag, g_steal_pointer (&cur), (GDestroyNotify) lm_pr_curve_free);
            }
          cur = pr_curve_new (st);
          g_free (cur_tag);
          cur_tag = g_strdup (tag ? tag : "");
          *last_id = MAX (*last_id, id);
        }
      i = sqlite3_column_int64 (st, 5);
      if (cur->n_thresholds > 0 && sqlite3_column_type (st, 5) != SQLITE_NULL && i >= 0 && i < cur->n_thresholds)
        {
          cur->thresholds[i] = column_double (st, 6);
          cur->tp[i] = column_double (st, 7);
          cur->fp[i] = column_double (st, 8);
          cur->tn[i] = column_double (st, 9);
          cur->fn[i] = column_double (st, 10);
          cur->precision[i] = column_double (st, 11);
          cur->recall[i] = column_double (st, 12);
        }
    }
  if (cur != NULL && rc == SQLITE_DONE)
    {
      pr_curve_check (cur);
      add_row (out, cur_tag, cur, (GDestroyNotify) lm_pr_curve_free);
    }
  else if (cur != NULL)
    {
      *last_id = cur->id - 1;
      lm_pr_curve_free (cur);
    }
  return rc;
}

/* TRUE when rc ends a read well (a file from before PR curves has no
 * tables: nothing to read); else *error says why. */
static gboolean
pr_read_ok (sqlite3 *db, int rc, char **error)
{
  if (rc != SQLITE_DONE && !(rc != SQLITE_OK && is_missing_table (db)))
    {
      *error = lm_reader_describe_error (db, rc, "reading PR curves", NULL);
      return FALSE;
    }
  return TRUE;
}

/* New curves (id > *last_id) with their points. */
static gboolean
read_pr_curves (sqlite3 *db, gint64 *last_id, GHashTable *out, char **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, PR_SELECT "WHERE c.id > ?1 ORDER BY c.id, p.i", -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, *last_id);
      rc = step_pr_curves (st, last_id, out);
    }
  sqlite3_finalize (st);
  return pr_read_ok (db, rc, error);
}

gboolean
lm_pr_curves_read_ids (gpointer db_ptr, GArray *ids, GHashTable *out, char **error)
{
  sqlite3 *db = db_ptr;
  sqlite3_stmt *st = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, PR_SELECT "WHERE c.id = ?1 ORDER BY p.i", -1, &st, NULL);
  for (guint k = 0; rc == SQLITE_OK && k < ids->len; k++)
    {
      gint64 unused = 0;

      sqlite3_bind_int64 (st, 1, g_array_index (ids, gint64, k));
      rc = step_pr_curves (st, &unused, out);
      sqlite3_reset (st);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (st);
  return pr_read_ok (db, rc == SQLITE_OK ? SQLITE_DONE : rc, error);
}

gboolean
lm_pr_curves_read_newest (gpointer db_ptr, gint64 *last_id, GHashTable *out, GArray *pending, char **error)
{
  sqlite3 *db = db_ptr;
  sqlite3_stmt *st = NULL;
  g_autoptr (GHashTable) newest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  gint64 top = *last_id;
  GHashTableIter it;
  gpointer k, v;
  int rc;

  /* the headers only: a few bytes a curve */
  rc = sqlite3_prepare_v2 (db,
      "SELECT c.id, t.name, c.step, c.wall_time, c.num_thresholds "
      "FROM pr_curves c JOIN tags t ON t.id = c.tag_id WHERE c.id > ?1 ORDER BY c.id", -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, *last_id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          const char *tag = (const char *) sqlite3_column_text (st, 1);
          LmPrCurve *c = pr_curve_new (st), *best;

          tag = tag ? tag : "";
          top = MAX (top, c->id);
          if (c->error == NULL)
            {
              /* no points yet: pending until read */
              g_clear_pointer (&c->thresholds, g_free);
              c->tp = c->fp = c->tn = c->fn = c->precision = c->recall = NULL;
              c->n_thresholds = 0;
              c->pending = TRUE;
              best = g_hash_table_lookup (newest, tag);
              if (best == NULL || c->step >= best->step)   /* ids ascend: the later on a tie */
                g_hash_table_insert (newest, g_strdup (tag), c);
            }
          add_row (heads, tag, c, (GDestroyNotify) lm_pr_curve_free);
        }
    }
  sqlite3_finalize (st);
  if (!pr_read_ok (db, rc, error))
    return FALSE;

  g_hash_table_iter_init (&it, newest);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_array_append_val (ids, ((LmPrCurve *) v)->id);
  if (!lm_pr_curves_read_ids (db, ids, out, error))
    return FALSE;
  /* the others, pending, beside the newest read in full */
  g_hash_table_iter_init (&it, heads);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      GPtrArray *rows = v;
      LmPrCurve *best = g_hash_table_lookup (newest, k);

      for (guint i = 0; i < rows->len; i++)
        {
          LmPrCurve *c = rows->pdata[i];

          if (c == best)
            continue;
          if (c->pending)
            g_array_append_val (pending, c->id);
          add_row (out, k, g_steal_pointer (&rows->pdata[i]), (GDestroyNotify) lm_pr_curve_free);
        }
    }
  *last_id = top;
  return TRUE;
}

gboolean
lm_records_read (gpointer db_ptr, LmRecordKind kind, gint64 *last_id, GHashTable *out, char **error)
{
  static const char *const sql[] = {
    [LM_RECORD_HISTOGRAM] =
      "SELECT x.id, t.name, x.step, x.wall_time, x.count, x.min, x.max, x.nan_count, "
      "x.bucket_count, x.edges, x.counts, x.sum, x.sum_squares "
      "FROM histograms x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 ORDER BY x.id",
    [LM_RECORD_IMAGE] =
      "SELECT x.id, t.name, x.step, x.wall_time, x.width, x.height, x.channels, x.caption, x.grid, "
      "x.frames, x.fps, x.boxes FROM images x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 "
      "ORDER BY x.id",
    [LM_RECORD_TEXT] =
      "SELECT x.id, t.name, x.step, x.wall_time, x.value "
      "FROM texts x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 ORDER BY x.id",
    [LM_RECORD_AUDIO] =
      "SELECT x.id, t.name, x.step, x.wall_time, x.sample_rate, x.channels, x.frames, x.label "
      "FROM audio x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 ORDER BY x.id",
    [LM_RECORD_MESH] =
      "SELECT x.id, t.name, x.step, x.wall_time, x.n_vertices, x.n_faces, x.colors IS NOT NULL, x.config "
      "FROM meshes x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 ORDER BY x.id",
  };
  /* files from before boxes, and before videos, no newer writer reopened */
  static const char *const old_images_sql[] = {
    "SELECT x.id, t.name, x.step, x.wall_time, x.width, x.height, x.channels, x.caption, x.grid, "
    "x.frames, x.fps, NULL FROM images x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 "
    "ORDER BY x.id",
    "SELECT x.id, t.name, x.step, x.wall_time, x.width, x.height, x.channels, x.caption, x.grid, "
    "NULL, NULL, NULL FROM images x JOIN tags t ON t.id = x.tag_id WHERE x.id > ?1 ORDER BY x.id",
  };
  sqlite3 *db = db_ptr;
  sqlite3_stmt *st = NULL;
  int rc;

  if (kind == LM_RECORD_HPARAMS)
    return read_hparams (db, NULL, NULL, out, error);
  if (kind == LM_RECORD_PR_CURVE)
    return read_pr_curves (db, last_id, out, error);
  if (kind == LM_RECORD_CUSTOM_SCALARS)
    {
      /* a few rows: read whole whenever the file changed, as hparams */
      LmCustomScalars *layout = lm_custom_scalars_read (db, error);

      if (layout != NULL)
        add_row (out, "", layout, (GDestroyNotify) lm_custom_scalars_unref);
      return *error == NULL;
    }

  rc = sqlite3_prepare_v2 (db, sql[kind], -1, &st, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (old_images_sql) && rc != SQLITE_OK && kind == LM_RECORD_IMAGE
                    && strstr (sqlite3_errmsg (db), "no such column");
       i++)
    rc = sqlite3_prepare_v2 (db, old_images_sql[i], -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, *last_id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          const char *tag = (const char *) sqlite3_column_text (st, 1);

          *last_id = MAX (*last_id, sqlite3_column_int64 (st, 0));
          add_row (out, tag ? tag : "", read_row (kind, st), lm_record_item_free_func (kind));
        }
    }
  if (rc != SQLITE_DONE && !(rc != SQLITE_OK && is_missing_table (db)))
    {
      *error = lm_reader_describe_error (db, rc, "reading records", NULL);
      sqlite3_finalize (st);
      return FALSE;
    }
  sqlite3_finalize (st);
  return TRUE;
}
