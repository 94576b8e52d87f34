/* lm-scan.c: recursive search for run files (see lm-scan-private.h). */
#include "lm-scan-private.h"
#include "lm-reader-private.h"
#include "lm-natural.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 32

void
lm_scan_entry_free (LmScanEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->name);
  g_free (e->path);
  g_free (e->error);
  g_free (e);
}

/* A hash, so unsigned arithmetic: it may wrap. */
static guint64
fold_stat (const char *path)
{
  struct stat st;

  if (stat (path, &st) != 0)
    return 0;
  return (guint64) st.st_size * 1000003u
         ^ ((guint64) st.st_mtim.tv_sec * 1000000000u + (guint64) st.st_mtim.tv_nsec);
}

gint64
lm_scan_stamp (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return (gint64) (fold_stat (path) * 31u + fold_stat (wal));
}

guint64
lm_scan_inode (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (guint64) st.st_ino : 0;
}

typedef struct
{
  dev_t dev;
  ino_t ino;
} DirId;

GArray *
lm_scan_visited_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (DirId));
}

gboolean
lm_scan_seen_before (GArray *visited, const struct stat *st)
{
  for (guint i = 0; i < visited->len; i++)
    {
      DirId *d = &g_array_index (visited, DirId, i);

      if (d->dev == st->st_dev && d->ino == st->st_ino)
        return TRUE;
    }
  {
    DirId d = { st->st_dev, st->st_ino };
    g_array_append_val (visited, d);
  }
  return FALSE;
}

/* An entry that shows as a run with an error badge: `path` is what could
 * not be read, named `rel` ("." at the top). */
static LmScanEntry *
add_error_entry (const char *path, const char *rel, GPtrArray *out)
{
  LmScanEntry *e = g_new0 (LmScanEntry, 1);

  e->name = g_utf8_make_valid (rel[0] ? rel : ".", -1);
  e->path = g_strdup (path);
  g_ptr_array_add (out, e);
  return e;
}

/* An entry for a folder that cannot be read: a run may hide in it. */
static void
add_unreadable (const char *dir, const char *rel, int err, GPtrArray *out)
{
  LmScanEntry *e = add_error_entry (dir, rel, out);

  e->error = g_strdup_printf ("cannot read folder %s: %s; runs inside it are not shown", e->name,
                              g_strerror (err));
}

/* Returns 0, or the errno of a log directory (rel "") that cannot be
 * read; a sub-folder that cannot be read becomes an error entry. */
static int
walk (const char *dir, const char *rel, int depth, GArray *visited, GPtrArray *out)
{
  DIR *d;
  struct dirent *de;
  int denied = 0;

  if (depth > MAX_DEPTH)
    return 0;
  d = opendir (dir);
  if (d == NULL)
    {
      int err = errno;

      if (rel[0] == '\0')
        return err;
      /* Gone since it was listed: nothing to show.  Anything else
       * (EACCES above all) is shown, where TensorBoard skips silently. */
      if (err != ENOENT && err != ENOTDIR)
        add_unreadable (dir, rel, err, out);
      return 0;
    }

  while ((de = readdir (d)) != NULL)
    {
      const char *entry = de->d_name;
      g_autofree char *path = NULL;
      struct stat st;

      if (strcmp (entry, ".") == 0 || strcmp (entry, "..") == 0)
        continue;
      path = g_build_filename (dir, entry, NULL);
      if (stat (path, &st) != 0)
        {
          /* Listed but not searchable (mode r-- without x): nothing in
           * it can be opened. */
          if (errno == EACCES && denied == 0)
            denied = errno;
          continue;
        }
      if (S_ISREG (st.st_mode) && strcmp (entry, LM_RUN_FILE_NAME) == 0)
        {
          LmScanEntry *e = g_new0 (LmScanEntry, 1);

          /* Names are shown: folder names that are not UTF-8 get
           * replacement characters (the path stays exact). */
          e->name = g_utf8_make_valid (rel[0] ? rel : ".", -1);
          e->path = g_steal_pointer (&path);
          e->stamp = lm_scan_stamp (e->path);
          e->inode = (guint64) st.st_ino;
          g_ptr_array_add (out, e);
          continue;
        }
      /* A folder (or a pipe...) named run.lumen: a run the user meant to
       * be here, shown with its problem instead of skipped without a word.
       * A folder is still walked: runs inside it show too. */
      if (strcmp (entry, LM_RUN_FILE_NAME) == 0)
        add_error_entry (path, rel, out)->error =
            g_strdup_printf ("%s is %s, not a run file", LM_RUN_FILE_NAME,
                             S_ISDIR (st.st_mode) ? "a directory" : "not a regular file");
      if (S_ISDIR (st.st_mode) && entry[0] != '.')
        {
          g_autofree char *sub_rel = rel[0] ? g_strconcat (rel, "/", entry, NULL) : g_strdup (entry);

          if (lm_scan_seen_before (visited, &st))
            continue;
          walk (path, sub_rel, depth + 1, visited, out);
        }
    }
  closedir (d);
  if (denied != 0 && rel[0] == '\0')
    return denied;
  if (denied != 0)
    add_unreadable (dir, rel, denied, out);
  return 0;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const LmScanEntry *ea = *(LmScanEntry *const *) a;
  const LmScanEntry *eb = *(LmScanEntry *const *) b;

  return lm_natural_compare (ea->name, eb->name);
}

GPtrArray *
lm_scan_logdir (const char *logdir, char **error, const char **title)
{
  GPtrArray *out;
  GArray *visited;
  struct stat st;
  const char *heading = NULL;
  int err;

  if (stat (logdir, &st) != 0)
    {
      err = errno;
      *error = g_strdup_printf ("log directory %s: %s", logdir, g_strerror (err));
      heading = err == ENOENT || err == ENOTDIR ? "Log directory not found" : "Log directory cannot be read";
    }
  else if (!S_ISDIR (st.st_mode))
    {
      *error = g_strdup_printf ("log directory %s is not a folder", logdir);
      heading = "Log directory is not a folder";
    }
  if (heading != NULL)
    {
      if (title != NULL)
        *title = heading;
      return NULL;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_scan_entry_free);
  visited = lm_scan_visited_new ();
  lm_scan_seen_before (visited, &st);
  err = walk (logdir, "", 0, visited, out);
  g_array_unref (visited);
  if (err != 0)
    {
      *error = g_strdup_printf ("log directory %s: %s", logdir, g_strerror (err));
      if (title != NULL)
        *title = "Log directory cannot be read";
      g_ptr_array_unref (out);
      return NULL;
    }
  g_ptr_array_sort (out, compare_entries);
  return out;
}

/* Adds e to out under a name no earlier entry has: roots without names
 * can hold runs of the same name, and then the first keeps it and a later
 * one is told apart by its root ("exp1 [/runs/b]"), so both show and each
 * name means one run. */
static void
add_unique (GPtrArray *out, GHashTable *names, LmScanEntry *e, const char *root_path)
{
  if (g_hash_table_contains (names, e->name))
    {
      char *name = g_strdup_printf ("%s [%s]", e->name, root_path);

      g_free (e->name);
      e->name = name;
    }
  g_hash_table_add (names, e->name);
  g_ptr_array_add (out, e);
}

GPtrArray *
lm_scan_roots (const LmScanRoot *roots, guint n, char **error, const char **title)
{
  GPtrArray *out;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GString) errors = g_string_new (NULL);
  gboolean all_missing = TRUE;
  guint failed = 0;

  if (n == 1 && roots[0].name == NULL)
    return lm_scan_logdir (roots[0].path, error, title);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_scan_entry_free);
  for (guint i = 0; i < n; i++)
    {
      char *err = NULL;
      const char *heading = NULL;
      g_autoptr (GPtrArray) found = lm_scan_logdir (roots[i].path, &err, &heading);

      if (found == NULL)
        {
          /* an entry of its own, named as its runs would be, with the
           * reason: the other roots' runs still show */
          LmScanEntry *e = g_new0 (LmScanEntry, 1);

          e->name = g_strdup (roots[i].name != NULL ? roots[i].name : roots[i].path);
          e->path = g_strdup (roots[i].path);
          e->error = err;
          add_unique (out, names, e, roots[i].path);
          g_string_append_printf (errors, "%s%s", failed > 0 ? "; " : "", err);
          all_missing = all_missing && g_strcmp0 (heading, "Log directory not found") == 0;
          if (failed++ == 0 && title != NULL)
            *title = heading;
          continue;
        }
      for (guint k = 0; k < found->len; k++)
        {
          LmScanEntry *e = g_steal_pointer (&found->pdata[k]);

          /* "name:path" puts the runs under "name/", a run file at the
           * top of path being "name" itself */
          if (roots[i].name != NULL)
            {
              char *name = strcmp (e->name, ".") == 0 ? g_strdup (roots[i].name)
                                                       : g_strconcat (roots[i].name, "/", e->name, NULL);

              g_free (e->name);
              e->name = name;
            }
          add_unique (out, names, e, roots[i].path);
        }
    }
  if (failed > 0 && out->len == failed)
    {
      /* nothing to show but the errors (the other roots empty, as the
       * app's import folder beside its --logdir is without event files):
       * the window's error page, as for one folder */
      *error = g_strdup (errors->str);
      if (title != NULL && failed > 1)
        *title = all_missing ? "Log directories not found" : "Log directories cannot be read";
      g_ptr_array_unref (out);
      return NULL;
    }
  g_ptr_array_sort (out, compare_entries);
  return out;
}
