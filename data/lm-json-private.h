/* lm-json-private.h: a small strict JSON reader for the read side's
 * parsers of stored JSON (lm-json.c).  Not installed, not for ui/.
 */
#pragma once

#include <glib.h>

/* Nesting of skipped values, at most. */
#define LM_JSON_MAX_DEPTH 32

typedef struct
{
  const char *start, *p;   /* the text (NUL-terminated), the next byte */
  char *error;             /* the first failure's message, or NULL */
  const char *what;        /* the messages' prefix: "grid JSON" */
} LmJsonParser;

/* Sets ps->error to "<what>: <message> at byte N" (first failure only);
 * returns FALSE. */
gboolean lm_json_fail         (LmJsonParser *ps, const char *format, ...) G_GNUC_PRINTF (2, 3);
void     lm_json_skip_ws      (LmJsonParser *ps);
/* Whitespace, then the character c. */
gboolean lm_json_expect       (LmJsonParser *ps, char c);
/* A string, decoded into `out` (NULL: only checked). */
gboolean lm_json_parse_string (LmJsonParser *ps, GString *out);
/* A number with JSON's grammar; *value (INFINITY when far out of range). */
gboolean lm_json_parse_number (LmJsonParser *ps, double *value);
gboolean lm_json_match_word   (LmJsonParser *ps, const char *word);
/* Any JSON value, checked and dropped. */
gboolean lm_json_skip_value   (LmJsonParser *ps, int depth);

/* Reads the value of member `key` (ps->p at it); FALSE on failure. */
typedef gboolean (*LmJsonMemberFunc) (LmJsonParser *ps, const char *key, gpointer data);
/* An object: for each member, its key, then `member` reads the value.
 * Fails with not_object when the next value is not an object. */
gboolean lm_json_parse_object (LmJsonParser *ps, const char *not_object, LmJsonMemberFunc member,
                               gpointer data);

/* Reads element i of an array (ps->p at it); FALSE on failure. */
typedef gboolean (*LmJsonElementFunc) (LmJsonParser *ps, guint i, gpointer data);
/* An array: `element` reads each value.  name says what it is in the
 * messages: "<name> is not an array", "expected ',' or ']' in <name>". */
gboolean lm_json_parse_array  (LmJsonParser *ps, const char *name, LmJsonElementFunc element,
                               gpointer data);
