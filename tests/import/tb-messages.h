/* tb-messages.h: the messages lumen-import and lumen-export give their
 * message function, kept for the tests to look at (test-import.c,
 * ../export/test-export.c). */
#ifndef TB_MESSAGES_H
#define TB_MESSAGES_H

#include <glib.h>

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

#endif /* TB_MESSAGES_H */
