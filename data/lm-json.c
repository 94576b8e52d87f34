/* lm-json.c: the pieces of a small strict JSON reader that the read
 * side's parsers of stored JSON share (lm-json-private.h): whitespace,
 * strings with their escapes, numbers with JSON's grammar, words, and
 * skipping any value.
 *
 * What it is for: the image grid's layout (lm-records-grid.c), a mesh's
 * config (lm-mesh.c) and torch.profiler's Chrome traces
 * (lm-chrome-trace.c), each a fixed shape read straight from the
 * text with a message saying what and where when it is not.  Every read
 * stops at the terminating NUL, so no input can make it read out of
 * bounds; nesting is capped so none can exhaust the stack.
 * What it is not for: JSON in general (json-glib is not a dependency, and
 * a document tree would be more than these need).
 */
#include "lm-json-private.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

gboolean
lm_json_fail (LmJsonParser *ps, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  if (ps->error != NULL)
    return FALSE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (*ps->p == '\0')
    ps->error = g_strdup_printf ("%s: %s at the end of the text (byte %ld)", ps->what, what,
                                 (long) (ps->p - ps->start));
  else
    ps->error = g_strdup_printf ("%s: %s at byte %ld", ps->what, what, (long) (ps->p - ps->start));
  return FALSE;
}

void
lm_json_skip_ws (LmJsonParser *ps)
{
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
    ps->p++;
}

gboolean
lm_json_expect (LmJsonParser *ps, char c)
{
  lm_json_skip_ws (ps);
  if (*ps->p != c)
    return lm_json_fail (ps, "expected '%c'", c);
  ps->p++;
  return TRUE;
}

static int
hex4 (const char *s)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);   /* -1 for NUL too: stops there */

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* A string at ps->p, decoded into `out` (NULL: only checked). */
gboolean
lm_json_parse_string (LmJsonParser *ps, GString *out)
{
  lm_json_skip_ws (ps);
  if (*ps->p != '"')
    return lm_json_fail (ps, "expected a string");
  ps->p++;
  for (;;)
    {
      unsigned char c = (unsigned char) *ps->p;

      if (c == '\0')
        return lm_json_fail (ps, "unterminated string");
      if (c == '"')
        {
          ps->p++;
          return TRUE;
        }
      if (c < 0x20)
        return lm_json_fail (ps, "control character 0x%02x in a string", c);
      if (c != '\\')
        {
          if (out != NULL)
            g_string_append_c (out, (char) c);
          ps->p++;
          continue;
        }
      ps->p++;
      switch (*ps->p)
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, *ps->p);
          break;
        case 'b': if (out) g_string_append_c (out, '\b'); break;
        case 'f': if (out) g_string_append_c (out, '\f'); break;
        case 'n': if (out) g_string_append_c (out, '\n'); break;
        case 'r': if (out) g_string_append_c (out, '\r'); break;
        case 't': if (out) g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int u = hex4 (ps->p + 1);
            gunichar ch;

            if (u < 0)
              return lm_json_fail (ps, "bad \\u escape");
            ps->p += 4;
            if (u >= 0xd800 && u <= 0xdbff)
              {
                /* A UTF-16 surrogate pair, as JSON spells characters
                 * beyond U+FFFF. */
                int lo = ps->p[1] == '\\' && ps->p[2] == 'u' ? hex4 (ps->p + 3) : -1;

                if (lo < 0xdc00 || lo > 0xdfff)
                  return lm_json_fail (ps, "\\u%04x is half a surrogate pair", u);
                ps->p += 6;
                ch = 0x10000 + (((gunichar) u - 0xd800) << 10) + ((gunichar) lo - 0xdc00);
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              return lm_json_fail (ps, "\\u%04x is half a surrogate pair", u);
            else if (u == 0)
              return lm_json_fail (ps, "\\u0000 (NUL) in a string");
            else
              ch = (gunichar) u;
            if (out != NULL)
              g_string_append_unichar (out, ch);
            break;
          }
        default:
          return lm_json_fail (ps, "bad escape in a string");
        }
      ps->p++;
    }
}

/* A number with JSON's grammar; *value set when it is finite. */
gboolean
lm_json_parse_number (LmJsonParser *ps, double *value)
{
  const char *s;
  char buf[64];

  lm_json_skip_ws (ps);
  s = ps->p;
  if (*ps->p == '-')
    ps->p++;
  if (*ps->p == '0')
    ps->p++;
  else if (g_ascii_isdigit (*ps->p))
    while (g_ascii_isdigit (*ps->p))
      ps->p++;
  else
    return lm_json_fail (ps, "expected a number");
  if (*ps->p == '.')
    {
      ps->p++;
      if (!g_ascii_isdigit (*ps->p))
        return lm_json_fail (ps, "expected a digit after '.'");
      while (g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (*ps->p == 'e' || *ps->p == 'E')
    {
      ps->p++;
      if (*ps->p == '+' || *ps->p == '-')
        ps->p++;
      if (!g_ascii_isdigit (*ps->p))
        return lm_json_fail (ps, "expected a digit in the exponent");
      while (g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (ps->p - s >= (long) sizeof buf)
    *value = INFINITY;   /* 64 characters of number: far out of range */
  else
    {
      memcpy (buf, s, (gsize) (ps->p - s));
      buf[ps->p - s] = '\0';
      *value = g_ascii_strtod (buf, NULL);
    }
  return TRUE;
}

gboolean
lm_json_match_word (LmJsonParser *ps, const char *word)
{
  gsize len = strlen (word);

  if (strncmp (ps->p, word, len) != 0)
    return lm_json_fail (ps, "unexpected text");
  ps->p += len;
  return TRUE;
}

/* Any JSON value, checked and dropped (an unknown key's). */
gboolean
lm_json_skip_value (LmJsonParser *ps, int depth)
{
  double ignored;

  lm_json_skip_ws (ps);
  if (depth > LM_JSON_MAX_DEPTH)
    return lm_json_fail (ps, "nested more than %d deep", LM_JSON_MAX_DEPTH);
  switch (*ps->p)
    {
    case '"':
      return lm_json_parse_string (ps, NULL);
    case 't':
      return lm_json_match_word (ps, "true");
    case 'f':
      return lm_json_match_word (ps, "false");
    case 'n':
      return lm_json_match_word (ps, "null");
    case '[':
    case '{':
      {
        char close = *ps->p == '[' ? ']' : '}';

        ps->p++;
        lm_json_skip_ws (ps);
        if (*ps->p == close)
          {
            ps->p++;
            return TRUE;
          }
        for (;;)
          {
            if (close == '}' && !(lm_json_parse_string (ps, NULL) && lm_json_expect (ps, ':')))
              return FALSE;
            if (!lm_json_skip_value (ps, depth + 1))
              return FALSE;
            lm_json_skip_ws (ps);
            if (*ps->p == close)
              {
                ps->p++;
                return TRUE;
              }
            if (*ps->p != ',')
              return lm_json_fail (ps, "expected ',' or '%c'", close);
            ps->p++;
          }
      }
    default:
      return lm_json_parse_number (ps, &ignored);
    }
}


gboolean
lm_json_parse_object (LmJsonParser *ps, const char *not_object, LmJsonMemberFunc member, gpointer data)
{
  g_autoptr (GString) key = g_string_new (NULL);

  lm_json_skip_ws (ps);
  if (*ps->p != '{')
    return lm_json_fail (ps, "%s", not_object);
  ps->p++;
  lm_json_skip_ws (ps);
  if (*ps->p == '}')
    {
      ps->p++;
      return TRUE;
    }
  for (;;)
    {
      g_string_truncate (key, 0);
      if (!lm_json_parse_string (ps, key) || !lm_json_expect (ps, ':'))
        return FALSE;
      if (!member (ps, key->str, data))
        return FALSE;
      lm_json_skip_ws (ps);
      if (*ps->p == '}')
        {
          ps->p++;
          return TRUE;
        }
      if (*ps->p != ',')
        return lm_json_fail (ps, "expected ',' or '}'");
      ps->p++;
    }
}

gboolean
lm_json_parse_array (LmJsonParser *ps, const char *name, LmJsonElementFunc element, gpointer data)
{
  lm_json_skip_ws (ps);
  if (*ps->p != '[')
    return lm_json_fail (ps, "%s is not an array", name);
  ps->p++;
  lm_json_skip_ws (ps);
  if (*ps->p == ']')
    {
      ps->p++;
      return TRUE;
    }
  for (guint i = 0;; i++)
    {
      lm_json_skip_ws (ps);
      if (!element (ps, i, data))
        return FALSE;
      lm_json_skip_ws (ps);
      if (*ps->p == ']')
        {
          ps->p++;
          return TRUE;
        }
      if (*ps->p != ',')
        return lm_json_fail (ps, "expected ',' or ']' in %s", name);
      ps->p++;
    }
}
