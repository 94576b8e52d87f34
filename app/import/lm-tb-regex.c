/* lm-tb-regex.c: TensorBoard's tag regexes (Python re) as POSIX extended
 * regexes, the dialect Lumen matches custom-scalar charts with.
 *
 * What it is for: the common Python spellings with an exact POSIX
 * counterpart: \d \D \w \W \s \S, escaped punctuation, (?:...) and
 * (?P<name>...) groups, {,n} bounds, and lazy quantifiers (*? +? ?? {}?),
 * which only change what a match covers, never whether re.match finds
 * one, the one thing a chart asks.  Whatever would mean something else
 * in POSIX (\b, look-arounds, inline flags, back-references, POSIX's own
 * [[:class:]] inside a Python set...) is refused with the reason, so a
 * chart never draws tags its author did not ask for.
 *
 * Not for: checking the result (lumen-log compiles it with regcomp).
 */
#include "lm-tb-import-private.h"

#include <string.h>

/* ERE's special characters: these stay escaped. */
#define ERE_SPECIAL ".[]()*+?{}|^$\\"

static gboolean
refuse (char **why, const char *fmt, const char *s, int n)
{
  *why = g_strdup_printf (fmt, n, s);
  return FALSE;
}

/* A Python set [...] starting at *p (on the '['), as a POSIX bracket
 * expression; *p moves past its ']'. */
static gboolean
translate_set (const char **p, GString *out, char **why)
{
  const char *s = *p + 1;
  gboolean negated = FALSE;
  g_autoptr (GString) items = g_string_new (NULL);
  gboolean dash_last = FALSE, bracket_first = FALSE;

  if (*s == '^')
    negated = TRUE, s++;
  if (*s == ']')
    bracket_first = TRUE, s++;
  for (; *s && *s != ']'; s++)
    {
      if (s[0] == '[' && s[1] && strchr (":.=", s[1]))
        return refuse (why, "'%.*s' inside a set (Python reads it as characters, POSIX as a class)",
                       s, 2);
      if (*s != '\\')
        {
          if (*s == '-' && (s[1] == ']' || items->len == 0))
            dash_last = TRUE; /* a literal '-': POSIX wants it last */
          else
            g_string_append_c (items, *s);
          continue;
        }
      char c = s[1];
      if (c == '\0')
        break;
      s++;
      if (c == 'd')
        g_string_append (items, "0-9");
      else if (c == 'w')
        g_string_append (items, "[:alnum:]_");
      else if (c == 's')
        g_string_append (items, "[:space:]");
      else if (c == '-')
        dash_last = TRUE;
      else if (c == ']')
        bracket_first = TRUE;
      else if (c == '\\' || c == '^' || c == '[')
        return refuse (why, "'%.*s' inside a set (no exact POSIX spelling)", s - 1, 2);
      else if (!g_ascii_isalnum (c))
        g_string_append_c (items, c); /* \. \/ ... : the character */
      else
        return refuse (why, "'%.*s' inside a set (no POSIX equivalent)", s - 1, 2);
    }
  if (*s != ']')
    {
      *why = g_strdup ("a '[' set that is never closed");
      return FALSE;
    }
  /* '^' first would negate: move it after something else */
  if (items->str[0] == '^' && (items->len > 1 || bracket_first))
    {
      g_string_erase (items, 0, 1);
      g_string_append_c (items, '^');
    }
  else if (items->len == 1 && items->str[0] == '^' && !bracket_first && !dash_last)
    {
      g_string_append (out, negated ? "[^^]" : "\\^");
      *p = s + 1;
      return TRUE;
    }
  g_string_append_c (out, '[');
  if (negated)
    g_string_append_c (out, '^');
  if (bracket_first)
    g_string_append_c (out, ']');
  g_string_append (out, items->str);
  if (dash_last)
    g_string_append_c (out, '-');
  g_string_append_c (out, ']');
  *p = s + 1;
  return TRUE;
}

/* A bound {m}, {m,}, {m,n} or {,n} at p: its length, 0 if '{' is a
 * literal there (as Python reads it). */
static size_t
bound_length (const char *p, gboolean *empty_min)
{
  const char *s = p + 1;
  size_t lo = strspn (s, "0123456789");

  s += lo;
  *empty_min = lo == 0;
  if (*s == '}')
    return lo ? (size_t) (s + 1 - p) : 0;
  if (*s != ',')
    return 0;
  s++;
  size_t hi = strspn (s, "0123456789");
  s += hi;
  if (*s != '}' || (lo == 0 && hi == 0))
    return 0;
  return (size_t) (s + 1 - p);
}

char *
lm_tb_regex_to_posix (const char *re, char **why)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean after_quantifier = FALSE;

  *why = NULL;
  for (const char *p = re; *p;)
    {
      gboolean quantifier = FALSE;
      if (*p == '\\')
        {
          char c = p[1];
          const char *cls = NULL;
          switch (c)
            {
            case 'd': cls = "[0-9]"; break;
            case 'D': cls = "[^0-9]"; break;
            case 'w': cls = "[[:alnum:]_]"; break;
            case 'W': cls = "[^[:alnum:]_]"; break;
            case 's': cls = "[[:space:]]"; break;
            case 'S': cls = "[^[:space:]]"; break;
            default: break;
            }
          if (c == '\0')
            {
              *why = g_strdup ("a '\\' at the end");
              return NULL;
            }
          if (cls)
            g_string_append (out, cls);
          else if (g_ascii_isalnum (c))
            {
              refuse (why, "'%.*s' (no POSIX extended equivalent)", p, 2);
              return NULL;
            }
          else if (strchr (ERE_SPECIAL, c))
            g_string_append_len (out, p, 2);
          else
            g_string_append_c (out, c); /* \/ \- \< ... : the character */
          p += 2;
        }
      else if (*p == '[')
        {
          if (!translate_set (&p, out, why))
            return NULL;
        }
      else if (*p == '(' && p[1] == '?')
        {
          if (p[2] == ':')
            p += 3;
          else if (p[2] == 'P' && p[3] == '<' && strchr (p + 4, '>'))
            p = strchr (p + 4, '>') + 1;
          else
            {
              const char *end = strchr (p, ')');
              refuse (why, "'%.*s' (no POSIX extended equivalent)", p,
                      end ? (int) (end - p + 1) : (int) strlen (p));
              return NULL;
            }
          g_string_append_c (out, '(');
        }
      else if ((*p == '*' || *p == '+' || *p == '?') && after_quantifier)
        {
          if (*p != '?')
            {
              /* Python 3.11's possessive *+ ++ ?+ {}+ can refuse a match */
              refuse (why, "'%.*s' (a possessive quantifier; no POSIX equivalent)", p - 1, 2);
              return NULL;
            }
          p++; /* lazy: the same tags match */
        }
      else if (*p == '*' || *p == '+' || *p == '?')
        {
          g_string_append_c (out, *p++);
          quantifier = TRUE;
        }
      else if (*p == '{')
        {
          gboolean empty_min;
          size_t n = bound_length (p, &empty_min);
          if (n == 0)
            g_string_append (out, "\\{");
          else
            {
              g_string_append_c (out, '{');
              if (empty_min)
                g_string_append_c (out, '0');
              g_string_append_len (out, p + 1, (gssize) n - 1);
              quantifier = TRUE;
            }
          p += n ? n : 1;
        }
      else if (*p == '}')
        {
          g_string_append (out, "\\}");
          p++;
        }
      else
        g_string_append_c (out, *p++);
      after_quantifier = quantifier;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
