/* lm-run-color-group.c: runs grouped for colour (see lm-run-color-group.h). */
#include "lm-run-color-group.h"
#include "lm-palette.h"

#include <string.h>

#define REGEX_PREFIX "regex:"

struct _LmRunColorGroup
{
  LmRunColorGroupBy by;
  GRegex *regex;          /* with LM_RUN_COLOR_GROUP_REGEX */
  char *text;             /* "run", "experiment" or "regex:RE" */
  GHashTable *colors;     /* group key -> its palette colour */
  guint next_color;
};

/* A grouping with no colours given yet; it takes regex. */
static LmRunColorGroup *
group_new (LmRunColorGroupBy by, GRegex *regex, const char *text)
{
  LmRunColorGroup *group = g_new0 (LmRunColorGroup, 1);

  group->by = by;
  group->regex = regex;
  group->text = g_strdup (text);
  group->colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return group;
}

LmRunColorGroup *
lm_run_color_group_new (const char *text, GError **error)
{
  LmRunColorGroupBy by;
  GRegex *regex = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  if (g_str_equal (text, "run"))
    by = LM_RUN_COLOR_GROUP_RUN;
  else if (g_str_equal (text, "experiment"))
    by = LM_RUN_COLOR_GROUP_EXPERIMENT;
  else if (g_str_has_prefix (text, REGEX_PREFIX))
    {
      const char *pattern = text + strlen (REGEX_PREFIX);

      by = LM_RUN_COLOR_GROUP_REGEX;
      if (pattern[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "regex: needs a regular expression after it, e.g. regex:lr([0-9.]+)");
          return NULL;
        }
      /* no flags: case-sensitive, as JavaScript's new RegExp(re) */
      regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, error);
      if (regex == NULL)
        return NULL;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "expected run, experiment or regex:REGEX; got '%s'", text);
      return NULL;
    }
  return group_new (by, regex, text);
}

void
lm_run_color_group_free (LmRunColorGroup *group)
{
  if (group == NULL)
    return;
  g_clear_pointer (&group->regex, g_regex_unref);
  g_hash_table_unref (group->colors);
  g_free (group->text);
  g_free (group);
}

LmRunColorGroup *
lm_run_color_group_copy (LmRunColorGroup *group)
{
  LmRunColorGroup *copy;
  GHashTableIter iter;
  gpointer key, color;

  g_return_val_if_fail (group != NULL, NULL);
  copy = group_new (group->by, group->regex ? g_regex_ref (group->regex) : NULL, group->text);
  g_hash_table_iter_init (&iter, group->colors);
  while (g_hash_table_iter_next (&iter, &key, &color))
    g_hash_table_insert (copy->colors, g_strdup (key), color);
  copy->next_color = group->next_color;
  return copy;
}

LmRunColorGroupBy
lm_run_color_group_get_by (LmRunColorGroup *group)
{
  g_return_val_if_fail (group != NULL, LM_RUN_COLOR_GROUP_RUN);
  return group->by;
}

const char *
lm_run_color_group_get_regex (LmRunColorGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);
  return group->regex ? g_regex_get_pattern (group->regex) : NULL;
}

const char *
lm_run_color_group_to_string (LmRunColorGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);
  return group->text;
}

/* The key of the run's group under the regex, NULL when it does not
 * match: every capture group's value, an unset one (an optional group
 * that took no part) told apart from an empty one, as TensorBoard's
 * JSON of the match's groups does.  Each value is written after its
 * length, so that no name (a folder's may hold any character but '/')
 * makes two different values one key. */
static char *
regex_key (GRegex *regex, const char *name, char **label)
{
  g_autoptr (GMatchInfo) match = NULL;
  int n = g_regex_get_capture_count (regex);
  GString *key, *text;

  if (!g_regex_match (regex, name, 0, &match))
    return NULL;
  if (n == 0)
    {
      if (label != NULL)
        *label = g_strdup ("every matching run");
      return g_strdup ("");
    }
  key = g_string_new (NULL);
  /* the label only when asked for (the run list's colouring is not) */
  text = label != NULL ? g_string_new (NULL) : NULL;
  for (int i = 1; i <= n; i++)
    {
      int start = -1, end = -1;

      g_match_info_fetch_pos (match, i, &start, &end);
      if (start < 0)
        g_string_append_c (key, '-');
      else
        {
          g_string_append_printf (key, "%d:", end - start);
          g_string_append_len (key, name + start, end - start);
        }
      if (text == NULL)
        continue;
      if (i > 1)
        g_string_append (text, ", ");
      if (start < 0)
        g_string_append (text, "(none)");
      else if (end > start)
        g_string_append_len (text, name + start, end - start);
      else
        g_string_append (text, "(empty)");
    }
  if (text != NULL)
    *label = g_string_free (text, FALSE);
  return g_string_free (key, FALSE);
}

int
lm_run_color_group_assign (LmRunColorGroup *group, LmRunStore *store, LmRun *run, char **label)
{
  g_autofree char *key = NULL;
  gpointer color;

  g_return_val_if_fail (group != NULL, LM_PALETTE_BY_ORDINAL);
  g_return_val_if_fail (LM_IS_RUN (run), LM_PALETTE_BY_ORDINAL);
  if (label != NULL)
    *label = NULL;
  switch (group->by)
    {
    case LM_RUN_COLOR_GROUP_EXPERIMENT:
      key = g_strdup (lm_run_store_get_experiment (store, run));
      if (label != NULL)
        *label = g_strdup (key);
      break;
    case LM_RUN_COLOR_GROUP_REGEX:
      key = regex_key (group->regex, lm_run_get_name (run), label);
      if (key == NULL)
        return LM_PALETTE_UNGROUPED;
      break;
    case LM_RUN_COLOR_GROUP_RUN:
    default:
      return LM_PALETTE_BY_ORDINAL;
    }
  if (!g_hash_table_lookup_extended (group->colors, key, NULL, &color))
    {
      color = GUINT_TO_POINTER (group->next_color++);
      g_hash_table_insert (group->colors, g_steal_pointer (&key), color);
    }
  return (int) GPOINTER_TO_UINT (color);
}
