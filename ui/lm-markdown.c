/* lm-markdown.c: a small line-based Markdown renderer (see lm-markdown.h). */
#include "lm-markdown.h"

#include <string.h>

static void
ensure_tags (GtkTextBuffer *buf)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buf);

  if (gtk_text_tag_table_lookup (table, "h1") != NULL)
    return;
  gtk_text_buffer_create_tag (buf, "h1", "weight", PANGO_WEIGHT_BOLD, "scale", 1.6, "pixels-below-lines", 4, NULL);
  gtk_text_buffer_create_tag (buf, "h2", "weight", PANGO_WEIGHT_BOLD, "scale", 1.35, "pixels-below-lines", 3, NULL);
  gtk_text_buffer_create_tag (buf, "h3", "weight", PANGO_WEIGHT_BOLD, "scale", 1.15, NULL);
  gtk_text_buffer_create_tag (buf, "strong", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buf, "em", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buf, "code", "family", "Monospace", "background", "#eef0f2", NULL);
  gtk_text_buffer_create_tag (buf, "pre", "family", "Monospace", "paragraph-background", "#f3f4f6",
                              "left-margin", 12, NULL);
  gtk_text_buffer_create_tag (buf, "list", "left-margin", 18, NULL);
  gtk_text_buffer_create_tag (buf, "quote", "left-margin", 14, "foreground", "#5f6368",
                              "style", PANGO_STYLE_ITALIC, NULL);
  /* Tables keep their columns: no wrapping (the card scrolls sideways). */
  gtk_text_buffer_create_tag (buf, "table", "family", "Monospace", "wrap-mode", GTK_WRAP_NONE, NULL);
  gtk_text_buffer_create_tag (buf, "table-header", "weight", PANGO_WEIGHT_BOLD, NULL);
}

static void
insert (GtkTextBuffer *buf, const char *text, gssize len, const char *tag1, const char *tag2)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buf, &end);
  gtk_text_buffer_insert_with_tags_by_name (buf, &end, text, (int) len, tag1, tag2, NULL);
}

/* [text](url): the text, blue and underlined, in a tag of its own that
 * carries the URL (lm_markdown_link_at finds it). */
static void
insert_link (GtkTextBuffer *buf, const char *text, gsize tlen, const char *url, gsize ulen,
             const char *block_tag)
{
  GtkTextTag *link = gtk_text_buffer_create_tag (buf, NULL, "foreground", "#1a73e8",
                                                 "underline", PANGO_UNDERLINE_SINGLE, NULL);
  GtkTextTag *block = block_tag ? gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buf), block_tag)
                                : NULL;
  GtkTextIter end;

  g_object_set_data_full (G_OBJECT (link), "lm-url", g_strndup (url, ulen), g_free);
  gtk_text_buffer_get_end_iter (buf, &end);
  gtk_text_buffer_insert_with_tags (buf, &end, text, (int) tlen, link, block, NULL);
}

/* Length of a "[text](url)" link starting at s[0], or 0; text and url
 * (with their lengths) point into s. URLs hold no spaces, as in CommonMark. */
static gsize
parse_link (const char *s, gsize len, const char **text, gsize *tlen, const char **url, gsize *ulen)
{
  const char *cb, *cp;

  if (len < 4 || s[0] != '[')
    return 0;
  cb = memchr (s + 1, ']', len - 1);
  if (cb == NULL || cb == s + 1 || (gsize) (cb - s) + 1 >= len || cb[1] != '(')
    return 0;
  cp = memchr (cb + 2, ')', len - (gsize) (cb + 2 - s));
  if (cp == NULL || cp == cb + 2 || memchr (cb + 2, ' ', (gsize) (cp - cb - 2)) != NULL)
    return 0;
  *text = s + 1, *tlen = (gsize) (cb - s - 1);
  *url = cb + 2, *ulen = (gsize) (cp - cb - 2);
  return (gsize) (cp - s) + 1;
}

/* Inline spans: `code`, **strong**, *em*, _em_, [links](url); a marker
 * without its closing partner is plain text. */
static void
insert_inline (GtkTextBuffer *buf, const char *s, gsize len, const char *block_tag)
{
  gsize i = 0, plain = 0;

  while (i < len)
    {
      const char *marker = NULL, *tag = NULL, *text, *url;
      gsize mlen = 0, tlen, ulen, llen;

      if (s[i] == '[' && (llen = parse_link (s + i, len - i, &text, &tlen, &url, &ulen)) > 0)
        {
          insert (buf, s + plain, i - plain, block_tag, NULL);
          insert_link (buf, text, tlen, url, ulen, block_tag);
          i = plain = i + llen;
          continue;
        }
      if (s[i] == '`')
        marker = "`", mlen = 1, tag = "code";
      else if (i + 1 < len && s[i] == '*' && s[i + 1] == '*')
        marker = "**", mlen = 2, tag = "strong";
      else if (s[i] == '*' || (s[i] == '_' && (i == 0 || s[i - 1] == ' ')))
        marker = s[i] == '*' ? "*" : "_", mlen = 1, tag = "em";
      if (marker != NULL)
        {
          const char *close = g_strstr_len (s + i + mlen, len - i - mlen, marker);

          if (close != NULL && close > s + i + mlen)
            {
              insert (buf, s + plain, i - plain, block_tag, NULL);
              insert (buf, s + i + mlen, close - (s + i + mlen), tag, block_tag);
              i = plain = (close - s) + mlen;
              continue;
            }
        }
      i++;
    }
  insert (buf, s + plain, len - plain, block_tag, NULL);
}

static gboolean
is_table_sep (const char *line)
{
  gboolean dash = FALSE;

  for (const char *p = line; *p; p++)
    {
      if (*p == '-')
        dash = TRUE;
      else if (!strchr ("|: \t", *p))
        return FALSE;
    }
  return dash;
}

static GPtrArray *
split_cells (const char *line)
{
  g_autofree char *t = g_strstrip (g_strdup (line));
  char *s = t;
  gsize n = strlen (s);
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  char **parts;

  if (n > 0 && s[n - 1] == '|')
    s[--n] = 0;
  if (*s == '|')
    s++;
  parts = g_strsplit (s, "|", -1);
  for (char **p = parts; *p; p++)
    g_ptr_array_add (cells, g_strdup (g_strstrip (*p)));
  g_strfreev (parts);
  return cells;
}

static void
render_table (GtkTextBuffer *buf, char **lines, guint n)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint widths[64] = { 0 }, n_cols = 0;
  gboolean has_header = n > 1 && is_table_sep (lines[1]);

  for (guint i = 0; i < n; i++)
    {
      GPtrArray *cells;

      if (has_header && i == 1)
        continue;
      cells = split_cells (lines[i]);
      for (guint c = 0; c < cells->len && c < G_N_ELEMENTS (widths); c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (cells->pdata[c], -1));
      n_cols = MAX (n_cols, MIN (cells->len, G_N_ELEMENTS (widths)));
      g_ptr_array_add (rows, cells);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      GPtrArray *cells = rows->pdata[r];
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < n_cols; c++)
        {
          const char *cell = c < cells->len ? cells->pdata[c] : "";

          g_string_append (line, c ? " │ " : "");
          g_string_append (line, cell);
          for (guint k = g_utf8_strlen (cell, -1); c + 1 < n_cols && k < widths[c]; k++)
            g_string_append_c (line, ' ');
        }
      g_string_append_c (line, '\n');
      insert (buf, line->str, -1, "table", has_header && r == 0 ? "table-header" : NULL);
      if (has_header && r == 0)
        {
          GString *rule = g_string_new (NULL);

          for (guint c = 0; c < n_cols; c++)
            {
              if (c)
                g_string_append (rule, "─┼─");
              for (guint k = 0; k < widths[c]; k++)
                g_string_append (rule, "─");
            }
          g_string_append_c (rule, '\n');
          insert (buf, rule->str, -1, "table", NULL);
          g_string_free (rule, TRUE);
        }
      g_string_free (line, TRUE);
    }
}

void
lm_markdown_render (GtkTextBuffer *buf, const char *text, gboolean plain)
{
  g_auto (GStrv) lines = NULL;
  guint n;
  gboolean in_code = FALSE;

  g_return_if_fail (GTK_IS_TEXT_BUFFER (buf));
  ensure_tags (buf);
  gtk_text_buffer_set_text (buf, "", 0);
  if (text == NULL)
    return;
  if (plain)
    {
      insert (buf, text, -1, NULL, NULL);
      return;
    }
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = 0; i < n; i++)
    {
      char *line = lines[i];
      const char *p = line;
      guint level = 0;

      if (g_str_has_suffix (line, "\r"))
        line[strlen (line) - 1] = 0;
      if (g_str_has_prefix (line, "```"))
        {
          in_code = !in_code;
          continue;
        }
      if (in_code)
        {
          insert (buf, line, -1, "pre", NULL);
          insert (buf, "\n", 1, "pre", NULL);
          continue;
        }
      while (p[level] == '#' && level < 7)
        level++;
      if (level >= 1 && level <= 6 && p[level] == ' ')
        {
          static const char *const h[] = { "h1", "h2", "h3" };

          insert_inline (buf, p + level + 1, strlen (p + level + 1), h[MIN (level, 3) - 1]);
          insert (buf, "\n", 1, NULL, NULL);
          continue;
        }
      if (line[0] == '|' || (strchr (line, '|') && i + 1 < n && is_table_sep (lines[i + 1])))
        {
          guint j = i;

          while (j < n && strchr (lines[j], '|') != NULL && lines[j][0] != 0)
            j++;
          render_table (buf, lines + i, j - i);
          i = j - 1;
          continue;
        }
      while (*p == ' ')
        p++;
      if ((p[0] == '-' || p[0] == '*' || p[0] == '+') && p[1] == ' ')
        {
          insert (buf, "•  ", -1, "list", NULL);
          insert_inline (buf, p + 2, strlen (p + 2), "list");
        }
      else if (g_ascii_isdigit (p[0]) && strspn (p, "0123456789") < 10
               && (p[strspn (p, "0123456789")] == '.' || p[strspn (p, "0123456789")] == ')')
               && p[strspn (p, "0123456789") + 1] == ' ')
        {
          gsize d = strspn (p, "0123456789");

          insert (buf, p, d + 2, "list", NULL);
          insert_inline (buf, p + d + 2, strlen (p + d + 2), "list");
        }
      else if (p[0] == '>')
        {
          p += p[1] == ' ' ? 2 : 1;
          insert_inline (buf, p, strlen (p), "quote");
        }
      else
        insert_inline (buf, line, strlen (line), NULL);
      if (i + 1 < n)
        insert (buf, "\n", 1, NULL, NULL);
    }
}

const char *
lm_markdown_link_at (GtkTextView *view, double x, double y)
{
  GtkTextIter it;
  int bx, by;
  const char *url = NULL;

  gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (view, &it, bx, by))
    return NULL;
  GSList *tags = gtk_text_iter_get_tags (&it);
  for (GSList *l = tags; l != NULL && url == NULL; l = l->next)
    url = g_object_get_data (G_OBJECT (l->data), "lm-url");
  g_slist_free (tags);
  return url;
}
