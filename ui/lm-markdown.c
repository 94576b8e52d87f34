/* lm-markdown.c: a small line-based Markdown renderer (see lm-markdown.h).
 *
 * Blocks are decided line by line (fences, indented code, headings, rules,
 * tables, lists, quotes); a paragraph's lines are gathered and joined, then
 * put out when a line ends it (a setext underline makes it a heading).
 * Inline spans are first parsed into an Inline, the visible text with a
 * style per span, so that table cells can be measured and padded before
 * they are put out.  There is one tag per style, links included: a tag per
 * link made every insertion slower by the number of links before it
 * (GtkTextBuffer's tag bookkeeping), so the URLs live in a table of
 * character offsets kept on the buffer instead.
 *
 * The text is gathered in a string and inserted at once, then the tags are
 * applied, last first, at positions given as line and byte index.  An
 * insert, or a position by character offset, walks the segments (text and
 * tag toggles) of its line, and a reflowed paragraph has hundreds: inserting
 * span by span, each span's insert and positions walked them (3 times
 * slower on 2 MB with links).
 */
#include "lm-markdown.h"
#include "lm-theme.h"

#include <stdlib.h>
#include <string.h>

#define LINKS_KEY "lm-markdown-links"
#define MAX_LIST_DEPTH 8

/* Inline styles, one tag each (Render.inline_tags, in this order). */
enum
{
  F_STRONG = 1 << 0,
  F_EM = 1 << 1,
  F_CODE = 1 << 2,
  F_LINK = 1 << 3,
  N_INLINE_FLAGS = 4
};

/* A run of Inline.text in one style; url points into the source. */
typedef struct
{
  gsize start, end;
  guint flags;
  const char *url;
  gsize url_len;
} Span;

typedef struct
{
  GString *text;
  GArray *spans;
} Inline;

/* A link's characters [start, end) in the buffer. */
typedef struct
{
  int start, end;
  char *url;
} Link;

typedef enum
{
  ALIGN_LEFT,
  ALIGN_CENTER,
  ALIGN_RIGHT
} Align;

/* A tag over Render.text[start, end), in buffer positions: line and byte
 * index in it. */
typedef struct
{
  GtkTextTag *tag;
  gsize end;
  int start_line, start_index, end_line, end_index;
} Run;

#define MAX_TAGS 24

typedef struct
{
  GtkTextBuffer *buf;
  GString *text;      /* what goes into buf */
  int n_chars;        /* characters in text */
  int line;           /* text's line count, less one */
  gsize line_start;   /* where its last line starts */
  GArray *runs;       /* in the order of their starts */
  GtkTextTag *open_tag[MAX_TAGS];  /* each tag's last run (open_run) */
  guint open_run[MAX_TAGS], n_open;
  GtkTextTag *inline_tags[N_INLINE_FLAGS];
  GtkTextTag *table_header;
  GtkTextTag *line_break;   /* "break": the newlines put adds */
  GArray *links;
  guint col;          /* characters since the last newline */
  gboolean nowrap;    /* tables keep their rows whole */
} Render;

/* The tags' colours, the theme's; again when it changes. */
static void
colour_tags (GtkTextBuffer *buf)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buf);
  const LmThemeColors *tc = lm_theme_colors ();

  g_object_set (gtk_text_tag_table_lookup (table, "code"), "background", tc->code_bg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "pre"), "paragraph-background", tc->pre_bg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "quote"), "foreground", tc->quote_fg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "link"), "foreground", tc->link_fg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "hr"), "paragraph-background", tc->rule, NULL);
}

static void
ensure_tags (GtkTextBuffer *buf)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buf);

  if (gtk_text_tag_table_lookup (table, "table-header") != NULL)
    return;
  /* Later tags win where two set the same property: links are blue in quotes.
   * "text", over everything: a word broken to fit the card gets no hyphen
   * that the logged text does not have (base64, minified JSON, hashes). */
  gtk_text_buffer_create_tag (buf, "text", "insert-hyphens", FALSE, NULL);
  gtk_text_buffer_create_tag (buf, "h1", "weight", PANGO_WEIGHT_BOLD, "scale", 1.6, "pixels-below-lines", 4, NULL);
  gtk_text_buffer_create_tag (buf, "h2", "weight", PANGO_WEIGHT_BOLD, "scale", 1.35, "pixels-below-lines", 3, NULL);
  gtk_text_buffer_create_tag (buf, "h3", "weight", PANGO_WEIGHT_BOLD, "scale", 1.15, NULL);
  gtk_text_buffer_create_tag (buf, "strong", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buf, "em", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buf, "code", "family", "Monospace", NULL);
  gtk_text_buffer_create_tag (buf, "pre", "family", "Monospace", "left-margin", 12, NULL);
  gtk_text_buffer_create_tag (buf, "list", "left-margin", 18, NULL);
  gtk_text_buffer_create_tag (buf, "list2", "left-margin", 36, NULL);
  gtk_text_buffer_create_tag (buf, "list3", "left-margin", 54, NULL);
  gtk_text_buffer_create_tag (buf, "list4", "left-margin", 72, NULL);
  gtk_text_buffer_create_tag (buf, "quote", "left-margin", 14, "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buf, "link", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  /* Tables keep their columns: no wrapping (the card scrolls sideways). */
  gtk_text_buffer_create_tag (buf, "table", "family", "Monospace", "wrap-mode", GTK_WRAP_NONE, NULL);
  gtk_text_buffer_create_tag (buf, "table-header", "weight", PANGO_WEIGHT_BOLD, NULL);
  /* A rule: a line of a space, so small that its background is a thin band. */
  gtk_text_buffer_create_tag (buf, "hr", "size", 2 * PANGO_SCALE, NULL);
  /* Newlines that only break long lines: hidden, so copied text has none. */
  gtk_text_buffer_create_tag (buf, "break", "invisible", TRUE, NULL);
  colour_tags (buf);
  g_signal_connect_object (lm_theme_get_default (), "notify::dark", G_CALLBACK (colour_tags), buf,
                           G_CONNECT_SWAPPED);
}

static GtkTextTag *
tag (Render *r, const char *name)
{
  return name ? gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (r->buf), name) : NULL;
}

/* Tags text from start (a byte offset, at line and index) to its end: the
 * tag's last run goes on if it ends there. */
static void
add_run (Render *r, GtkTextTag *t, gsize start, int line, int index)
{
  Run run = { t, r->text->len, line, index, r->line, (int) (r->text->len - r->line_start) };
  guint i = 0;

  while (i < r->n_open && r->open_tag[i] != t)
    i++;
  if (i < r->n_open && g_array_index (r->runs, Run, r->open_run[i]).end == start)
    {
      Run *last = &g_array_index (r->runs, Run, r->open_run[i]);

      last->end = run.end, last->end_line = run.end_line, last->end_index = run.end_index;
      return;
    }
  if (i == r->n_open)
    {
      g_assert (r->n_open < MAX_TAGS);
      r->open_tag[r->n_open++] = t;
    }
  r->open_run[i] = r->runs->len;
  g_array_append_val (r->runs, run);
}

static void
append (Render *r, const char *s, gsize len, GtkTextTag *const *tags, guint n_tags)
{
  gsize start = r->text->len;
  int line = r->line, index = (int) (start - r->line_start);
  const char *nl;

  g_string_append_len (r->text, s, (gssize) len);
  r->n_chars += (int) g_utf8_strlen (s, (gssize) len);
  for (const char *p = s; (nl = memchr (p, '\n', len - (gsize) (p - s))) != NULL; p = nl + 1)
    r->line++, r->line_start = start + (gsize) (nl + 1 - s);
  for (guint i = 0; i < n_tags; i++)
    if (tags[i] != NULL)
      add_run (r, tags[i], start, line, index);
}

/* A newline with tags and "break". */
static void
append_break (Render *r, GtkTextTag *const *tags, guint n_tags)
{
  gsize start = r->text->len;
  int line = r->line, index = (int) (start - r->line_start);

  append (r, "\n", 1, tags, n_tags);
  add_run (r, r->line_break, start, line, index);
}

/* Inserts the text gathered and applies its tags, from the last run to
 * the first: positions before a run's start then cross few segments. */
static void
commit (Render *r)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_start_iter (r->buf, &start);
  gtk_text_buffer_insert (r->buf, &start, r->text->str, (int) r->text->len);
  for (guint i = r->runs->len; i-- > 0;)
    {
      const Run *run = &g_array_index (r->runs, Run, i);

      gtk_text_buffer_get_iter_at_line_index (r->buf, &start, run->start_line, run->start_index);
      gtk_text_buffer_get_iter_at_line_index (r->buf, &end, run->end_line, run->end_index);
      gtk_text_buffer_apply_tag (r->buf, run->tag, &start, &end);
    }
}

/* Appends s with tags, breaking lines longer than LM_MARKDOWN_MAX_LINE (see
 * lm-markdown.h): after the line's last space in its second half if this
 * piece has one, else at the limit.  The break is a newline with the same
 * tags, so a code block's background goes on, and the invisible "break":
 * GtkTextView still starts a paragraph there, but the text copied from the
 * view (gtk_text_buffer_get_text without hidden characters) has no newline. */
static void
put (Render *r, const char *s, gsize len, GtkTextTag *const *tags, guint n_tags)
{
  const char *end = s + len;

  while (s < end)
    {
      const char *p = s, *space = NULL, *cut;
      guint col = r->col, space_col = 0;

      while (p < end && (r->nowrap || col < LM_MARKDOWN_MAX_LINE || *p == '\n'))
        {
          if (*p == '\n')
            col = 0, space = NULL;
          else
            col++;
          if (*p == ' ')
            space = p + 1, space_col = col;
          p = g_utf8_next_char (p);
        }
      if (p >= end)
        {
          append (r, s, (gsize) (end - s), tags, n_tags);
          r->col = col;
          return;
        }
      cut = space != NULL && space_col >= LM_MARKDOWN_MAX_LINE / 2 ? space : p;
      append (r, s, (gsize) (cut - s), tags, n_tags);
      append_break (r, tags, n_tags);
      r->col = 0;
      s = cut;
    }
}

static void
put_tagged (Render *r, const char *s, gssize len, const char *tag1)
{
  GtkTextTag *t = tag (r, tag1);

  put (r, s, len < 0 ? strlen (s) : (gsize) len, &t, 1);
}

static void
inline_init (Inline *in)
{
  in->text = g_string_new (NULL);
  in->spans = g_array_new (FALSE, FALSE, sizeof (Span));
}

static void
inline_clear (Inline *in)
{
  g_string_free (in->text, TRUE);
  g_array_unref (in->spans);
}

static void
inline_add (Inline *in, const char *s, gsize len, guint flags, const char *url, gsize url_len)
{
  Span *last = in->spans->len > 0 ? &g_array_index (in->spans, Span, in->spans->len - 1) : NULL;

  if (len == 0)
    return;
  if (last != NULL && last->flags == flags && last->url == url && last->end == in->text->len)
    last->end += len;
  else
    {
      Span span = { in->text->len, in->text->len + len, flags, url, url_len };

      g_array_append_val (in->spans, span);
    }
  g_string_append_len (in->text, s, (gssize) len);
}

/* Inserts the spans of in, each with the block's tags and its own style;
 * links go into the link table. */
static void
put_inline (Render *r, const Inline *in, GtkTextTag *block, GtkTextTag *extra)
{
  for (guint i = 0; i < in->spans->len; i++)
    {
      const Span *span = &g_array_index (in->spans, Span, i);
      GtkTextTag *tags[2 + N_INLINE_FLAGS] = { block, extra };
      guint n = 2;
      Link link = { r->n_chars, 0, NULL };

      for (guint f = 0; f < N_INLINE_FLAGS; f++)
        if (span->flags & (1u << f))
          tags[n++] = r->inline_tags[f];
      put (r, in->text->str + span->start, span->end - span->start, tags, n);
      if (span->flags & F_LINK)
        {
          link.end = r->n_chars;
          link.url = g_strndup (span->url, span->url_len);
          g_array_append_val (r->links, link);
        }
    }
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

/* The first of n closing delimiters c in [s, end) for an opening run of n
 * (1 to 3), or NULL.  A closing run follows a non-space, and '_' does not
 * close inside a word.  A run of two never closes a single delimiter (it
 * closes the **strong** inside), and a longer run closes with its last n:
 * "*a **b***" is em(a strong(b)), "**a *b***" strong(a em(b)). */
static const char *
find_emph_close (const char *s, const char *end, char c, guint n)
{
  const char *p = s;

  while (p < end && (p = memchr (p, c, (gsize) (end - p))) != NULL)
    {
      const char *q = p;
      gsize run;

      if (p > s && p[-1] == '\\')
        {
          p++;
          continue;
        }
      while (q < end && *q == c)
        q++;
      run = (gsize) (q - p);
      if (p > s && !g_ascii_isspace (p[-1]) && (c != '_' || q == end || !g_ascii_isalnum (*q))
          && (n == 1 ? run != 2 : run >= n))
        return q - n;
      p = q;
    }
  return NULL;
}

/* The start of a run of exactly n backticks in [s, end), or NULL. */
static const char *
find_code_close (const char *s, const char *end, gsize n)
{
  const char *p = s;

  while (p < end && (p = memchr (p, '`', (gsize) (end - p))) != NULL)
    {
      const char *q = p;

      while (q < end && *q == '`')
        q++;
      if ((gsize) (q - p) == n)
        return p;
      p = q;
    }
  return NULL;
}

/* Bits of parse_inline's memo of searches that failed.  A search for a
 * closing delimiter covers everything up to the end of the text, so once it
 * failed, it fails for every later opener of the same kind too: remembering
 * that keeps a line full of unmatched '*' or '[' linear. */
#define FAILED_EMPH(c, n) (1u << (((c) == '_' ? 3 : 0) + (n) - 1))
#define FAILED_CODE(n)    (1u << (6 + (n) - 1))       /* n <= 8 */
#define FAILED_LINK       (1u << 14)

/* Inline spans of s into in: `code`, **strong**, *em*, _em_, ***both***,
 * [links](url), backslash escapes; spans nest, except code (literal) and
 * links in links.  A delimiter without its closing partner is plain text. */
static void
parse_inline (Inline *in, const char *s, gsize len, guint flags, const char *url, gsize url_len)
{
  const char *end = s + len, *p = s, *plain = s;
  guint failed = 0;

  while (p < end)
    {
      const char *q = p;
      gsize n;

      if (*p == '\\' && p + 1 < end && g_ascii_ispunct (p[1]))
        {
          inline_add (in, plain, (gsize) (p - plain), flags, url, url_len);
          plain = p + 1;          /* the escaped character is plain text */
          p += 2;
          continue;
        }
      if (*p == '[' && !(flags & F_LINK) && !(failed & FAILED_LINK))
        {
          const char *text, *u;
          gsize tlen, ulen, llen = parse_link (p, (gsize) (end - p), &text, &tlen, &u, &ulen);

          if (llen > 0)
            {
              inline_add (in, plain, (gsize) (p - plain), flags, url, url_len);
              parse_inline (in, text, tlen, flags | F_LINK, u, ulen);
              p = plain = p + llen;
              continue;
            }
          if (memchr (p, ']', (gsize) (end - p)) == NULL)
            failed |= FAILED_LINK;
          p++;
          continue;
        }
      if (*p == '`')
        {
          const char *close = NULL;

          while (q < end && *q == '`')
            q++;
          n = (gsize) (q - p);
          if (n > 8 || !(failed & FAILED_CODE (n)))
            close = find_code_close (q, end, n);
          if (close == NULL)
            {
              if (n <= 8)
                failed |= FAILED_CODE (n);
              p = q;
              continue;
            }
          inline_add (in, plain, (gsize) (p - plain), flags, url, url_len);
          p = plain = close + n;
          /* One space each side is padding (`` `x` `` shows `x`). */
          if (close - q >= 2 && q[0] == ' ' && close[-1] == ' ' && strspn (q, " ") < (gsize) (close - q))
            q++, close--;
          inline_add (in, q, (gsize) (close - q), flags | F_CODE, url, url_len);
          continue;
        }
      if (*p == '*' || *p == '_')
        {
          char c = *p;
          gboolean done = FALSE;

          while (q < end && *q == c)
            q++;
          n = (gsize) (q - p);
          /* An opening run comes before a non-space; '_' starts a word. */
          if (q < end && !g_ascii_isspace (*q) && (c == '*' || p == s || !g_ascii_isalnum (p[-1])))
            for (guint k = MIN (n, 3); k >= 1 && !done; k--)
              {
                const char *close;

                if (failed & FAILED_EMPH (c, k))
                  continue;
                close = find_emph_close (q, end, c, k);
                if (close == NULL)
                  {
                    failed |= FAILED_EMPH (c, k);
                    continue;
                  }
                /* The opener's delimiters beyond k stay as typed. */
                inline_add (in, plain, (gsize) (q - k - plain), flags, url, url_len);
                parse_inline (in, q, (gsize) (close - q),
                              flags | (k == 1 ? F_EM : k == 2 ? F_STRONG : F_STRONG | F_EM), url, url_len);
                p = plain = close + k;
                done = TRUE;
              }
          if (!done)
            p = q;
          continue;
        }
      p++;
    }
  inline_add (in, plain, (gsize) (end - plain), flags, url, url_len);
}

static void
put_markdown (Render *r, const char *s, const char *block_tag)
{
  Inline in;

  inline_init (&in);
  parse_inline (&in, s, strlen (s), 0, NULL, 0);
  put_inline (r, &in, tag (r, block_tag), NULL);
  inline_clear (&in);
}

/* Columns of leading blanks (a tab to the next multiple of 4); *rest: the
 * first other character. */
static guint
indent_of (const char *line, const char **rest)
{
  guint cols = 0;
  const char *p = line;

  for (; *p == ' ' || *p == '\t'; p++)
    cols = *p == '\t' ? (cols / 4 + 1) * 4 : cols + 1;
  *rest = p;
  return cols;
}

/* line without its first n columns of indentation. */
static const char *
unindent (const char *line, guint n)
{
  guint cols = 0;

  while (cols < n && (*line == ' ' || *line == '\t'))
    cols = *line++ == '\t' ? (cols / 4 + 1) * 4 : cols + 1;
  return line;
}

static gboolean
is_blank (const char *line)
{
  return line[strspn (line, " \t")] == 0;
}

/* An opening code fence (``` or ~~~, indented up to 3): its character and
 * length. */
static gboolean
is_fence (const char *line, char *fc, gsize *flen)
{
  const char *p;

  if (indent_of (line, &p) > 3 || (*p != '`' && *p != '~'))
    return FALSE;
  *flen = strspn (p, *p == '`' ? "`" : "~");
  *fc = *p;
  return *flen >= 3 && (*p == '~' || strchr (p + *flen, '`') == NULL);
}

/* The width of a list marker ("- ", "1. ") at p, with the blanks after it,
 * or 0. */
static gsize
list_marker (const char *p)
{
  gsize d = strspn (p, "0123456789"), m;

  if (d == 0 && (p[0] == '-' || p[0] == '*' || p[0] == '+'))
    m = 1;
  else if (d > 0 && d < 10 && (p[d] == '.' || p[d] == ')'))
    m = d + 1;
  else
    return 0;
  if (p[m] != ' ' && p[m] != '\t')
    return 0;
  return m + strspn (p + m, " \t");
}

/* A table's delimiter row, like "|---|:-:|--:|". */
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

/* A row's cells, trimmed, split at the pipes that are not escaped; "\|" is
 * a pipe inside a cell (also inside `code`, as in GFM). */
static GPtrArray *
split_cells (const char *line)
{
  g_autofree char *t = g_strstrip (g_strdup (line));
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  GString *cell = g_string_new (NULL);
  gboolean after_pipe = FALSE;

  for (const char *p = t[0] == '|' ? t + 1 : t; *p; p++)
    {
      after_pipe = FALSE;
      if (p[0] == '\\' && p[1] == '|')
        g_string_append_c (cell, *++p);
      else if (*p == '|')
        {
          g_ptr_array_add (cells, g_strdup (g_strstrip (cell->str)));
          g_string_truncate (cell, 0);
          after_pipe = TRUE;
        }
      else
        g_string_append_c (cell, *p);
    }
  if (!after_pipe)
    g_ptr_array_add (cells, g_strdup (g_strstrip (cell->str)));
  g_string_free (cell, TRUE);
  return cells;
}

/* Columns the text takes in a monospace font: CJK and emoji take two,
 * combining marks none. */
static guint
display_width (const char *s)
{
  guint w = 0;

  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      w += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
    }
  return w;
}

static void
pad (Inline *in, guint n)
{
  for (guint i = 0; i < n; i++)
    inline_add (in, " ", 1, 0, NULL, 0);
}

/* A GFM table: lines[0] the header, lines[1] the delimiter row, then the
 * body.  Columns are the header's: short rows are padded, the cells of
 * long ones beyond it dropped. */
static void
render_table (Render *r, char **lines, guint n)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) seps = split_cells (lines[1]);
  guint n_cols = 0;
  g_autofree guint *widths = NULL;
  g_autofree Align *align = NULL;
  g_autofree Inline *cells = NULL;
  GtkTextTag *table = tag (r, "table");

  for (guint i = 0; i < n; i++)
    if (i != 1)
      g_ptr_array_add (rows, split_cells (lines[i]));
  n_cols = ((GPtrArray *) rows->pdata[0])->len;
  widths = g_new0 (guint, n_cols);
  align = g_new0 (Align, n_cols);
  for (guint c = 0; c < n_cols && c < seps->len; c++)
    {
      const char *sep = seps->pdata[c];
      gsize len = strlen (sep);
      gboolean left = len > 0 && sep[0] == ':', right = len > 0 && sep[len - 1] == ':';

      align[c] = left && right ? ALIGN_CENTER : right ? ALIGN_RIGHT : ALIGN_LEFT;
    }
  cells = g_new (Inline, (gsize) rows->len * n_cols);
  for (guint i = 0; i < rows->len; i++)
    for (guint c = 0; c < n_cols; c++)
      {
        GPtrArray *row = rows->pdata[i];
        const char *cell = c < row->len ? row->pdata[c] : "";
        Inline *in = &cells[i * n_cols + c];

        inline_init (in);
        parse_inline (in, cell, strlen (cell), 0, NULL, 0);
        widths[c] = MAX (widths[c], display_width (in->text->str));
      }

  r->nowrap = TRUE;
  for (guint i = 0; i < rows->len; i++)
    {
      Inline line;

      inline_init (&line);
      for (guint c = 0; c < n_cols; c++)
        {
          const Inline *in = &cells[i * n_cols + c];
          guint space = widths[c] - display_width (in->text->str);
          guint before = align[c] == ALIGN_RIGHT ? space : align[c] == ALIGN_CENTER ? space / 2 : 0;

          if (c > 0)
            inline_add (&line, " │ ", strlen (" │ "), 0, NULL, 0);
          pad (&line, before);
          for (guint k = 0; k < in->spans->len; k++)
            {
              const Span *span = &g_array_index (in->spans, Span, k);

              inline_add (&line, in->text->str + span->start, span->end - span->start, span->flags,
                          span->url, span->url_len);
            }
          if (c + 1 < n_cols)
            pad (&line, space - before);
        }
      inline_add (&line, "\n", 1, 0, NULL, 0);
      put_inline (r, &line, table, i == 0 ? r->table_header : NULL);
      inline_clear (&line);
      if (i == 0)
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
          put (r, rule->str, rule->len, &table, 1);
          g_string_free (rule, TRUE);
        }
    }
  r->nowrap = FALSE;
  for (guint i = 0; i < rows->len * n_cols; i++)
    inline_clear (&cells[i]);
}

/* Whether lines[i] starts a table: a header row with a pipe, then a
 * delimiter row of as many cells. */
static gboolean
is_table_start (char **lines, guint i, guint n)
{
  g_autoptr (GPtrArray) head = NULL, sep = NULL;

  if (i + 1 >= n || strchr (lines[i], '|') == NULL || !is_table_sep (lines[i + 1]))
    return FALSE;
  head = split_cells (lines[i]);
  sep = split_cells (lines[i + 1]);
  return head->len == sep->len;
}

/* A line of a code block.  GtkTextView paints no paragraph background on
 * an empty line, so a blank one holds a space: one box, not two. */
static void
put_code_line (Render *r, const char *line)
{
  put_tagged (r, *line ? line : " ", -1, "pre");
  put_tagged (r, "\n", 1, "pre");
}

/* The next line after i that is not blank is indented code. */
static gboolean
code_goes_on (char **lines, guint i, guint n)
{
  const char *rest;

  while (++i < n && is_blank (lines[i]))
    ;
  return i < n && indent_of (lines[i], &rest) >= 4;
}

/* The paragraph being gathered (see lm-markdown.h): its lines joined, a
 * soft break as a space and a hard break as a newline, inserted with block
 * (a list's tag, "quote" or NULL) once a line ends it. */
typedef struct
{
  GString *text;
  const char *block;
  gboolean open;
  char pending;       /* the last line's hard break: ' ' (spaces), '\\' or 0 */
} Para;

static void
para_open (Para *para, const char *block)
{
  g_string_truncate (para->text, 0);
  para->block = block;
  para->open = TRUE;
  para->pending = 0;
}

/* Adds a line.  Blanks around a line break are dropped; two or more
 * spaces at its end, or a backslash, make it hard. */
static void
para_add (Para *para, const char *line)
{
  gsize len, spaces = 0, backslashes = 0;

  line += strspn (line, " \t");
  len = strlen (line);
  if (para->text->len > 0)
    g_string_append_c (para->text, para->pending ? '\n' : ' ');
  while (spaces < len && line[len - 1 - spaces] == ' ')
    spaces++;
  while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
    len--;
  while (backslashes < len && line[len - 1 - backslashes] == '\\')
    backslashes++;
  para->pending = spaces >= 2 ? ' ' : backslashes % 2 ? '\\' : 0;
  /* The escaping backslash of a hard break is not shown. */
  g_string_append_len (para->text, line, (gssize) (para->pending == '\\' ? len - 1 : len));
}

/* Inserts the paragraph, if one is open, as a block of tag (its own block
 * unless given), and a newline after it unless it ends the text.  A hard
 * break at the end of a paragraph is none (a backslash there is shown). */
static void
para_flush (Render *r, Para *para, const char *tag, gboolean newline)
{
  if (!para->open)
    return;
  if (para->pending == '\\')
    g_string_append_c (para->text, '\\');
  if (tag == NULL)
    tag = para->block;
  put_markdown (r, para->text->str, tag);
  if (newline)
    put_tagged (r, "\n", 1, tag);
  para->open = FALSE;
}

/* A thematic break: three or more of one of -, * and _, blanks between. */
static gboolean
is_rule (const char *p)
{
  char c = *p;
  guint n = 0;

  if (c != '-' && c != '*' && c != '_')
    return FALSE;
  for (; *p; p++)
    if (*p == c)
      n++;
    else if (*p != ' ' && *p != '\t')
      return FALSE;
  return n >= 3;
}

/* A setext heading's underline (=== or ---, blanks after it): its level,
 * or 0. */
static guint
setext_level (const char *p)
{
  gsize run = strspn (p, *p == '=' ? "=" : "-");

  if ((*p != '=' && *p != '-') || !is_blank (p + run))
    return 0;
  return *p == '=' ? 1 : 2;
}

/* A rule: a thin band across the card.  GtkTextView paints no paragraph
 * background on an empty line, so the line holds a space. */
static void
put_rule (Render *r)
{
  put_tagged (r, " ", 1, "hr");
}

static void
render_markdown (Render *r, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  guint list_indent[MAX_LIST_DEPTH], list_depth = 0;
  gboolean in_fence = FALSE, in_indented = FALSE;
  char fence_char = 0;
  gsize fence_len = 0;
  guint fence_indent = 0;
  Para para = { .text = g_string_new (NULL) };

  for (guint i = 0; i < n; i++)
    {
      static const char *const list_tags[] = { "list", "list2", "list3", "list4" };
      static const char *const bullets[] = { "•  ", "◦  ", "▪  " };
      char *line = lines[i];
      const char *block = NULL, *p;
      guint indent, level;
      gsize m;

      if (g_str_has_suffix (line, "\r"))
        line[strlen (line) - 1] = 0;
      indent = indent_of (line, &p);
      if (in_fence)
        {
          if (indent <= 3 && *p == fence_char && strspn (p, fence_char == '`' ? "`" : "~") >= fence_len
              && is_blank (p + strspn (p, fence_char == '`' ? "`" : "~")))
            {
              in_fence = FALSE;
              continue;
            }
          put_code_line (r, unindent (line, fence_indent));
          continue;
        }
      if (is_fence (line, &fence_char, &fence_len))
        {
          para_flush (r, &para, NULL, TRUE);
          in_fence = TRUE;
          fence_indent = indent;
          in_indented = FALSE;
          continue;
        }
      if (is_blank (line))
        {
          /* A blank line inside indented code is part of the block. */
          para_flush (r, &para, NULL, TRUE);
          in_indented = in_indented && code_goes_on (lines, i, n);
          if (in_indented)
            put_code_line (r, "");
          else if (i + 1 < n)
            put_tagged (r, "\n", 1, NULL);
          continue;
        }
      if (indent >= 4 && !para.open && list_depth == 0)
        {
          /* Indented code cannot interrupt a paragraph, nor start in a list. */
          put_code_line (r, unindent (line, 4));
          in_indented = TRUE;
          continue;
        }
      in_indented = FALSE;
      if (para.open && para.block == NULL && indent <= 3 && (level = setext_level (p)) > 0)
        {
          /* The paragraph above was a heading's text ("---" under a line
           * is no rule). */
          para_flush (r, &para, level == 1 ? "h1" : "h2", i + 1 < n);
          continue;
        }
      if (indent <= 3 && is_rule (p))
        {
          para_flush (r, &para, NULL, TRUE);
          list_depth = 0;
          block = "hr";
          put_rule (r);
        }
      else if (indent <= 3 && *p == '#' && strspn (p, "#") <= 6
               && (p[strspn (p, "#")] == ' ' || p[strspn (p, "#")] == '\t' || p[strspn (p, "#")] == 0))
        {
          static const char *const h[] = { "h1", "h2", "h3" };
          guint hl = (guint) strspn (p, "#");
          char *s = g_strstrip (line + (p - line) + hl), *e = s + strlen (s);

          para_flush (r, &para, NULL, TRUE);
          /* An optional closing sequence: "## Title ##". */
          while (e > s && e[-1] == '#')
            e--;
          if (e == s || e[-1] == ' ' || e[-1] == '\t')
            *e = 0, g_strchomp (s);
          block = h[MIN (hl, 3) - 1];
          put_markdown (r, s, block);
          list_depth = 0;
        }
      else if (is_table_start (lines, i, n))
        {
          guint j = i + 2;

          para_flush (r, &para, NULL, TRUE);
          while (j < n && strchr (lines[j], '|') != NULL && !is_blank (lines[j]))
            j++;
          render_table (r, lines + i, j - i);
          i = j - 1;
          list_depth = 0;
          continue;
        }
      else if ((m = list_marker (p)) > 0 && (list_depth > 0 || indent <= 3)
               /* Only "1." starts a numbered list inside a paragraph. */
               && !(para.open && list_depth == 0 && g_ascii_isdigit (*p) && strtoul (p, NULL, 10) != 1))
        {
          para_flush (r, &para, NULL, TRUE);
          /* Nesting by indentation: deeper than the item above by 2 or
           * more columns is a level down. */
          while (list_depth > 0 && indent < list_indent[list_depth - 1])
            list_depth--;
          if (list_depth == 0 || (indent >= list_indent[list_depth - 1] + 2 && list_depth < MAX_LIST_DEPTH))
            list_indent[list_depth++] = indent;
          block = list_tags[MIN (list_depth, G_N_ELEMENTS (list_tags)) - 1];
          if (g_ascii_isdigit (*p))
            put_tagged (r, p, (gssize) m, block);
          else
            put_tagged (r, bullets[MIN (list_depth, G_N_ELEMENTS (bullets)) - 1], -1, block);
          para_open (&para, block);
          para_add (&para, p + m);
          continue;
        }
      else if (indent <= 3 && *p == '>')
        {
          const char *q = p + (p[1] == ' ' ? 2 : 1);

          /* "> a" then "> b" (or a lazy "b") is one paragraph; a bare ">"
           * ends it and leaves a blank line in the quote. */
          if (para.open && para.block != NULL && strcmp (para.block, "quote") == 0 && !is_blank (q))
            {
              para_add (&para, q);
              continue;
            }
          para_flush (r, &para, NULL, TRUE);
          if (!is_blank (q))
            {
              para_open (&para, "quote");
              para_add (&para, q);
              continue;
            }
          block = "quote";
        }
      else if (para.open)
        {
          /* A paragraph's next line, indented or not (lazy continuation). */
          para_add (&para, p);
          continue;
        }
      else
        {
          /* A paragraph; indented under a list item, it continues the item. */
          if (list_depth > 0 && indent >= 2)
            block = list_tags[MIN (list_depth, G_N_ELEMENTS (list_tags)) - 1];
          else
            list_depth = 0;
          para_open (&para, block);
          para_add (&para, p);
          continue;
        }
      if (i + 1 < n)
        put_tagged (r, "\n", 1, block);
    }
  para_flush (r, &para, NULL, FALSE);
  g_string_free (para.text, TRUE);
}

static void
link_clear (gpointer data)
{
  g_free (((Link *) data)->url);
}

void
lm_markdown_render (GtkTextBuffer *buf, const char *text, gboolean plain)
{
  Render r = { .buf = buf };

  g_return_if_fail (GTK_IS_TEXT_BUFFER (buf));
  ensure_tags (buf);
  gtk_text_buffer_set_text (buf, "", 0);
  g_object_set_data (G_OBJECT (buf), LINKS_KEY, NULL);
  if (text == NULL)
    return;
  r.text = g_string_sized_new (strlen (text) + 1);
  r.runs = g_array_new (FALSE, FALSE, sizeof (Run));
  r.line_break = tag (&r, "break");
  if (plain)
    put (&r, text, strlen (text), NULL, 0);
  else
    {
      r.inline_tags[0] = tag (&r, "strong");
      r.inline_tags[1] = tag (&r, "em");
      r.inline_tags[2] = tag (&r, "code");
      r.inline_tags[3] = tag (&r, "link");
      r.table_header = tag (&r, "table-header");
      r.links = g_array_new (FALSE, FALSE, sizeof (Link));
      g_array_set_clear_func (r.links, link_clear);
      render_markdown (&r, text);
    }
  commit (&r);
  {
    GtkTextIter start, end;

    gtk_text_buffer_get_bounds (buf, &start, &end);
    gtk_text_buffer_apply_tag_by_name (buf, "text", &start, &end);
  }
  if (r.links != NULL)
    g_object_set_data_full (G_OBJECT (buf), LINKS_KEY, r.links, (GDestroyNotify) g_array_unref);
  g_string_free (r.text, TRUE);
  g_array_unref (r.runs);
}

const char *
lm_markdown_link_at_iter (const GtkTextIter *iter)
{
  GArray *links;
  int offset;
  guint lo = 0, hi;

  g_return_val_if_fail (iter != NULL, NULL);
  offset = gtk_text_iter_get_offset (iter);
  links = g_object_get_data (G_OBJECT (gtk_text_iter_get_buffer (iter)), LINKS_KEY);
  if (links == NULL)
    return NULL;
  /* Links are in buffer order: the last one starting at or before offset. */
  hi = links->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (links, Link, mid).start <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0 || offset >= g_array_index (links, Link, lo - 1).end)
    return NULL;
  return g_array_index (links, Link, lo - 1).url;
}

const char *
lm_markdown_link_at (GtkTextView *view, double x, double y)
{
  GtkTextIter it;
  int bx, by;

  gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (view, &it, bx, by))
    return NULL;
  return lm_markdown_link_at_iter (&it);
}
