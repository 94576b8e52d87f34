/* lm-custom-scalars.c: custom-scalar layouts, read and merged (see
 * lm-custom-scalars.h).  Regexes are compiled once, when a chart is
 * added, by the feed's worker thread; matching is regexec on the main
 * thread, which POSIX allows on a shared compiled regex. */
#include "lm-custom-scalars.h"

#include <regex.h>
#include <sqlite3.h>
#include <string.h>

#include "lm-reader-private.h"
#include "lm-records.h"

struct _LmCustomChart
{
  char *title;
  LmCustomChartKind kind;
  GPtrArray *tags;      /* char* */
  regex_t *compiled;    /* MULTILINE: one per tag (all or none compiled) */
  guint n_compiled;
  char *error;
  /* tag -> first matching regex + 1 (0: none); a layout of 1000 charts
   * is matched against every run's tags on each data change */
  GMutex lock;
  GHashTable *matched;
  guint n_regexec;
};

typedef struct
{
  LmCustomScalars pub;
  gint ref;
} Layout;

static void
chart_free (gpointer data)
{
  LmCustomChart *c = data;

  for (guint i = 0; i < c->n_compiled; i++)
    regfree (&c->compiled[i]);
  g_free (c->compiled);
  g_free (c->title);
  g_ptr_array_unref (c->tags);
  g_free (c->error);
  g_clear_pointer (&c->matched, g_hash_table_unref);
  g_mutex_clear (&c->lock);
  g_free (c);
}

static void
category_free (gpointer data)
{
  LmCustomCategory *cat = data;

  g_free (cat->title);
  g_ptr_array_unref (cat->charts);
  g_free (cat);
}

LmCustomScalars *
lm_custom_scalars_new (void)
{
  Layout *l = g_new0 (Layout, 1);

  l->ref = 1;
  l->pub.categories = g_ptr_array_new_with_free_func (category_free);
  return &l->pub;
}

LmCustomScalars *
lm_custom_scalars_ref (LmCustomScalars *layout)
{
  g_atomic_int_inc (&((Layout *) layout)->ref);
  return layout;
}

void
lm_custom_scalars_unref (LmCustomScalars *layout)
{
  if (layout == NULL || !g_atomic_int_dec_and_test (&((Layout *) layout)->ref))
    return;
  g_ptr_array_unref (layout->categories);
  g_free (layout);
}

static gboolean
chart_equal (const LmCustomChart *c, const char *title, LmCustomChartKind kind,
             const char *const *tags, guint n_tags)
{
  if (c->kind != kind || c->tags->len != n_tags || strcmp (c->title, title) != 0)
    return FALSE;
  for (guint i = 0; i < n_tags; i++)
    if (strcmp (c->tags->pdata[i], tags[i]) != 0)
      return FALSE;
  return TRUE;
}

static void
compile (LmCustomChart *c)
{
  c->compiled = g_new0 (regex_t, c->tags->len);
  for (guint i = 0; i < c->tags->len; i++)
    {
      int err = regcomp (&c->compiled[i], c->tags->pdata[i], REG_EXTENDED);
      char msg[160];

      if (err == 0)
        {
          c->n_compiled++;
          continue;
        }
      regerror (err, &c->compiled[i], msg, sizeof msg);
      c->error = g_strdup_printf ("tag regex '%s' is not a valid regular expression "
                                  "(POSIX extended): %s",
                                  (char *) c->tags->pdata[i], msg);
      for (guint k = 0; k < c->n_compiled; k++)
        regfree (&c->compiled[k]);
      c->n_compiled = 0;
      return;
    }
}

LmCustomChart *
lm_custom_scalars_add_chart (LmCustomScalars *layout, const char *category, const char *title,
                             LmCustomChartKind kind, const char *const *tags, guint n_tags)
{
  LmCustomCategory *cat = NULL;
  LmCustomChart *c;

  for (guint i = 0; i < layout->categories->len && cat == NULL; i++)
    if (strcmp (((LmCustomCategory *) layout->categories->pdata[i])->title, category) == 0)
      cat = layout->categories->pdata[i];
  if (cat == NULL)
    {
      cat = g_new0 (LmCustomCategory, 1);
      cat->title = g_strdup (category);
      cat->charts = g_ptr_array_new_with_free_func (chart_free);
      g_ptr_array_add (layout->categories, cat);
    }
  for (guint i = 0; i < cat->charts->len; i++)
    if (chart_equal (cat->charts->pdata[i], title, kind, tags, n_tags))
      return NULL;
  c = g_new0 (LmCustomChart, 1);
  g_mutex_init (&c->lock);
  c->title = g_strdup (title);
  c->kind = kind;
  c->tags = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_tags; i++)
    g_ptr_array_add (c->tags, g_strdup (tags[i]));
  if (kind == LM_CUSTOM_CHART_MULTILINE)
    compile (c);
  else if (n_tags != 3)
    c->error = g_strdup_printf ("a margin chart has 3 tags (value, lower, upper), this one %u",
                                n_tags);
  g_ptr_array_add (cat->charts, c);
  return c;
}

void
lm_custom_scalars_merge (LmCustomScalars *dest, const LmCustomScalars *src)
{
  for (guint i = 0; i < src->categories->len; i++)
    {
      LmCustomCategory *cat = src->categories->pdata[i];

      for (guint k = 0; k < cat->charts->len; k++)
        {
          LmCustomChart *c = cat->charts->pdata[k];

          lm_custom_scalars_add_chart (dest, cat->title, c->title, c->kind,
                                       (const char *const *) c->tags->pdata, c->tags->len);
        }
    }
}

gboolean
lm_custom_scalars_equal (const LmCustomScalars *a, const LmCustomScalars *b)
{
  guint na = a ? a->categories->len : 0, nb = b ? b->categories->len : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    {
      LmCustomCategory *ca = a->categories->pdata[i], *cb = b->categories->pdata[i];

      if (strcmp (ca->title, cb->title) != 0 || ca->charts->len != cb->charts->len)
        return FALSE;
      for (guint k = 0; k < ca->charts->len; k++)
        {
          LmCustomChart *x = ca->charts->pdata[k], *y = cb->charts->pdata[k];

          if (!chart_equal (x, y->title, y->kind, (const char *const *) y->tags->pdata, y->tags->len))
            return FALSE;
        }
    }
  return TRUE;
}

guint
lm_custom_scalars_n_charts (const LmCustomScalars *layout)
{
  guint n = 0;

  for (guint i = 0; layout != NULL && i < layout->categories->len; i++)
    n += ((LmCustomCategory *) layout->categories->pdata[i])->charts->len;
  return n;
}

const char *
lm_custom_chart_get_title (const LmCustomChart *chart)
{
  return chart->title;
}

LmCustomChartKind
lm_custom_chart_get_kind (const LmCustomChart *chart)
{
  return chart->kind;
}

guint
lm_custom_chart_get_n_tags (const LmCustomChart *chart)
{
  return chart->tags->len;
}

const char *
lm_custom_chart_get_tag (const LmCustomChart *chart, guint i)
{
  return i < chart->tags->len ? chart->tags->pdata[i] : NULL;
}

const char *
lm_custom_chart_get_error (const LmCustomChart *chart)
{
  return chart->error;
}

int
lm_custom_chart_match_index (const LmCustomChart *chart, const char *tag)
{
  LmCustomChart *c = (LmCustomChart *) chart;   /* the cache only */
  gpointer found;
  int index = -1;

  if (c->n_compiled == 0)
    return -1;
  g_mutex_lock (&c->lock);
  if (c->matched == NULL)
    c->matched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_lookup_extended (c->matched, tag, NULL, &found))
    {
      g_mutex_unlock (&c->lock);
      return GPOINTER_TO_INT (found) - 1;
    }
  for (guint i = 0; i < c->n_compiled && index < 0; i++)
    {
      regmatch_t m;

      /* POSIX takes the leftmost match: one at 0 exists iff it starts there */
      c->n_regexec++;
      if (regexec (&c->compiled[i], tag, 1, &m, 0) == 0 && m.rm_so == 0)
        index = (int) i;
    }
  g_hash_table_insert (c->matched, g_strdup (tag), GINT_TO_POINTER (index + 1));
  g_mutex_unlock (&c->lock);
  return index;
}

guint
lm_custom_chart_get_n_regexec (const LmCustomChart *chart)
{
  return chart->n_regexec;
}

gboolean
lm_custom_chart_matches (const LmCustomChart *chart, const char *tag)
{
  return lm_custom_chart_match_index (chart, tag) >= 0;
}

static void
add_read_chart (LmCustomScalars *layout, const char *category, const char *title,
                const char *kind, GPtrArray *tags)
{
  lm_custom_scalars_add_chart (layout, category, title,
                               g_strcmp0 (kind, "margin") == 0 ? LM_CUSTOM_CHART_MARGIN
                                                               : LM_CUSTOM_CHART_MULTILINE,
                               (const char *const *) tags->pdata, tags->len);
}

LmCustomScalars *
lm_custom_scalars_read (gpointer db_ptr, char **error)
{
  sqlite3 *db = db_ptr;
  sqlite3_stmt *st = NULL;
  g_autoptr (LmCustomScalars) layout = lm_custom_scalars_new ();
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *category = NULL, *title = NULL, *kind = NULL;
  gint64 chart = -1;
  int rc;

  /* tags in order, their chart's columns on each row; a chart without
   * tags is damaged and left out (the writer never stores one) */
  rc = sqlite3_prepare_v2 (db,
      "SELECT c.id, c.category, c.title, c.kind, t.tag FROM custom_scalar_charts c "
      "JOIN custom_scalar_tags t ON t.chart_id = c.id ORDER BY c.id, t.i",
      -1, &st, NULL);
  while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      const char *tag = (const char *) sqlite3_column_text (st, 4);

      if (id != chart && chart >= 0)
        add_read_chart (layout, category, title, kind, tags);
      if (id != chart)
        {
          g_ptr_array_set_size (tags, 0);
          g_free (category), g_free (title), g_free (kind);
          category = g_strdup ((const char *) sqlite3_column_text (st, 1));
          title = g_strdup ((const char *) sqlite3_column_text (st, 2));
          kind = g_strdup ((const char *) sqlite3_column_text (st, 3));
          if (category == NULL || !g_utf8_validate (category, -1, NULL))
            g_free (category), category = g_strdup ("(invalid category)");
          if (title == NULL || !g_utf8_validate (title, -1, NULL))
            g_free (title), title = g_strdup ("(invalid title)");
          chart = id;
        }
      g_ptr_array_add (tags, g_strdup (tag && g_utf8_validate (tag, -1, NULL) ? tag : ""));
    }
  if (rc == SQLITE_DONE && chart >= 0)
    add_read_chart (layout, category, title, kind, tags);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      if (strstr (sqlite3_errmsg (db), "no such table") == NULL)
        *error = lm_reader_describe_error (db, rc, "reading the custom scalars layout", NULL);
      return NULL;
    }
  if (layout->categories->len == 0)
    return NULL;
  return g_steal_pointer (&layout);
}

LmCustomScalars *
lm_record_feed_merge_custom_scalars (LmRecordFeed *feed)
{
  GPtrArray *series = lm_record_feed_get_series (feed);
  LmCustomScalars *merged = lm_custom_scalars_new ();

  /* the feed keeps its series sorted by run name: TensorBoard's order */
  for (guint i = 0; i < series->len; i++)
    {
      LmRecordSeries *s = series->pdata[i];

      if (s->kind == LM_RECORD_CUSTOM_SCALARS && s->items->len > 0)
        lm_custom_scalars_merge (merged, s->items->pdata[s->items->len - 1]);
    }
  return merged;
}
