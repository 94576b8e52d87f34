/* tb-messages.h: the messages lumen-import and lumen-export give their
 * message function, kept for the tests to look at (test-import.c,
 * test-import-video.c, ../export/test-export.c). */
#ifndef TB_MESSAGES_H
#define TB_MESSAGES_H

#include "lm-tb-import.h"

#include <glib.h>
#include <string.h>

typedef struct
{
  GPtrArray *errors, *infos;
} Messages;

static void
collect (const char *message, gboolean is_error, gpointer user_data)
{
  Messages *m = user_data;

  g_ptr_array_add (is_error ? m->errors : m->infos, g_strdup (message));
}

static void
messages_init (Messages *m)
{
  m->errors = g_ptr_array_new_with_free_func (g_free);
  m->infos = g_ptr_array_new_with_free_func (g_free);
}

static void
messages_clear (Messages *m)
{
  g_ptr_array_unref (m->errors);
  g_ptr_array_unref (m->infos);
}

/* The message containing both needles (b may be NULL), or NULL. */
static inline const char *
find_message (GPtrArray *msgs, const char *a, const char *b)
{
  for (guint i = 0; i < msgs->len; i++)
    if (strstr (msgs->pdata[i], a) && (b == NULL || strstr (msgs->pdata[i], b)))
      return msgs->pdata[i];
  return NULL;
}

/* Imports the folder src into dst in one poll, the messages into m (for
 * messages_clear); the number of errors. */
static inline guint
tb_import_once (const char *src, const char *dst, Messages *m)
{
  messages_init (m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, m);
  lm_tb_import_poll (imp);
  guint errors = lm_tb_import_finish (imp, FALSE);
  lm_tb_import_free (imp);
  return errors;
}

#endif /* TB_MESSAGES_H */
