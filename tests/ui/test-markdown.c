/* test-markdown.c: the Text dashboard's Markdown renderer (lm-markdown.c)
 * against GitHub-flavoured Markdown, which TensorBoard's text plugin renders.
 *
 * What it checks, on the buffer lm_markdown_render fills: the text shown and
 * the ranges each tag covers for inline spans (***both***, nesting, escapes,
 * delimiters that do not open), fenced and indented code blocks with blank
 * lines, nested lists, tables (inline Markdown in cells, alignment, "\|",
 * cells beyond the header), links and their URLs, thematic breaks, setext
 * headings, paragraphs' soft and hard line breaks.  Without timing: a line
 * of 100k characters with no space is broken into lines of at most
 * LM_MARKDOWN_MAX_LINE (Pango's time grows with the square of an unbroken
 * run) that copy as the one line it is, and thousands of links add no tags
 * (a tag per link made insertion quadratic).  Skips without a display.
 */
#include <gtk/gtk.h>
#include <string.h>

#include "lm-markdown.h"
#include "ui-test-util.h"

static gboolean have_display;

static char *
render (GtkTextBuffer *buf, const char *md, gboolean plain)
{
  GtkTextIter a, b;

  lm_markdown_render (buf, md, plain);
  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, FALSE);
}

/* The text of each range the tag covers, joined by '|'. */
static char *
tagged (GtkTextBuffer *buf, const char *name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buf), name);
  GString *out = g_string_new (NULL);
  GtkTextIter it, end;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buf, &it);
  if (!gtk_text_iter_starts_tag (&it, tag))
    gtk_text_iter_forward_to_tag_toggle (&it, tag);
  while (gtk_text_iter_starts_tag (&it, tag))
    {
      g_autofree char *s = NULL;

      end = it;
      gtk_text_iter_forward_to_tag_toggle (&end, tag);
      s = gtk_text_iter_get_text (&it, &end);
      g_string_append_printf (out, "%s%s", out->len ? "|" : "", s);
      it = end;
      gtk_text_iter_forward_to_tag_toggle (&it, tag);
    }
  return g_string_free (out, FALSE);
}

static void
on_read_text (GObject *clipboard, GAsyncResult *res, gpointer data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), res, NULL);
  if (*text == NULL)
    *text = g_strdup ("(nothing on the clipboard)");
}

/* What the user gets by selecting all and copying. */
static char *
copied (GtkTextBuffer *buf)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  GtkTextIter a, b;
  char *text = NULL;

  gtk_text_buffer_get_bounds (buf, &a, &b);
  gtk_text_buffer_select_range (buf, &a, &b);
  gtk_text_buffer_copy_clipboard (buf, clipboard);
  gdk_clipboard_read_text_async (clipboard, NULL, on_read_text, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

#define ASSERT_TAGGED(buf, name, expected) \
  G_STMT_START { g_autofree char *t_ = tagged (buf, name); g_assert_cmpstr (t_, ==, expected); } G_STMT_END

#define SKIP_WITHOUT_DISPLAY() \
  G_STMT_START { if (!have_display) { g_test_skip ("no display"); return; } } G_STMT_END

static void
test_inline (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  t1 = render (buf, "Some *emphasis*, **strong**, `inline code`, and ***both***.", FALSE);
  g_assert_cmpstr (t1, ==, "Some emphasis, strong, inline code, and both.");
  ASSERT_TAGGED (buf, "em", "emphasis|both");
  ASSERT_TAGGED (buf, "strong", "strong|both");
  ASSERT_TAGGED (buf, "code", "inline code");

  /* Nesting, both ways round; code inside strong; __ and _ in words. */
  t2 = render (buf, "**a *b*** *c **d*** **x `y` z** snake_case_name _u_", FALSE);
  g_assert_cmpstr (t2, ==, "a b c d x y z snake_case_name u");
  ASSERT_TAGGED (buf, "strong", "a b|d|x y z");
  ASSERT_TAGGED (buf, "em", "b|c d|u");
  ASSERT_TAGGED (buf, "code", "y");

  /* Delimiters that open nothing stay as typed; escapes show the character. */
  t3 = render (buf, "2 * 3 * 4, a ** b, \\*not em\\*, \\`x\\`, back\\\\slash, *open", FALSE);
  g_assert_cmpstr (t3, ==, "2 * 3 * 4, a ** b, *not em*, `x`, back\\slash, *open");
  ASSERT_TAGGED (buf, "em", "");
  ASSERT_TAGGED (buf, "code", "");

  /* Double backticks hold a backtick; one space each side is padding. */
  t4 = render (buf, "``a ` b`` and `` `x` ``", FALSE);
  g_assert_cmpstr (t4, ==, "a ` b and `x`");
  ASSERT_TAGGED (buf, "code", "a ` b|`x`");
}

static void
test_headings_rules_quotes (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t = NULL, *t2 = NULL, *t3 = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  /* Lines that are no heading are a paragraph: one line. */
  t = render (buf, "# One #\n## C#\n####### seven\n#nospace\n> said *this*", FALSE);
  g_assert_cmpstr (t, ==, "One\nC#\n####### seven #nospace\nsaid this");
  ASSERT_TAGGED (buf, "h1", "One\n");
  ASSERT_TAGGED (buf, "h2", "C#\n");
  ASSERT_TAGGED (buf, "quote", "said this");
  ASSERT_TAGGED (buf, "em", "this");

  /* Setext: === under a paragraph makes it an h1, --- an h2 (not a rule),
   * the whole paragraph; after a blank line or a list item, --- is a rule. */
  t2 = render (buf, "Title\n=====\nSub *em*\n---\nline one\nline two\n===\n\n---\n- item\n---\nLast\n  ===  ",
               FALSE);
  g_assert_cmpstr (t2, ==, "Title\nSub em\nline one line two\n\n \n•  item\n \nLast");
  ASSERT_TAGGED (buf, "h1", "Title\n|line one line two\n|Last");
  ASSERT_TAGGED (buf, "h2", "Sub em\n");
  ASSERT_TAGGED (buf, "em", "em");
  ASSERT_TAGGED (buf, "hr", " \n| \n");

  /* Rules: three or more of -, * or _, blanks between allowed, up to 3
   * columns in; *** and ___ end a paragraph.  A rule is a line of a space. */
  t3 = render (buf, "a\n\n---\n\n***\n_ _ _\n - - -\n*  *  *  *\nb\n___\n--\n+++\n\n    ***", FALSE);
  g_assert_cmpstr (t3, ==, "a\n\n \n\n \n \n \n \nb\n \n-- +++\n\n***\n");
  ASSERT_TAGGED (buf, "hr", " \n| \n \n \n \n| \n");
  ASSERT_TAGGED (buf, "pre", "***\n");
  ASSERT_TAGGED (buf, "list", "");
  ASSERT_TAGGED (buf, "em", "");
}

static void
test_code_blocks (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  /* A blank line inside a fence: one block (the blank line holds a space,
   * or GtkTextView leaves a gap in the background); no Markdown inside. */
  t1 = render (buf, "Before:\n\n```python\ndef f(x):\n    return *x*\n\nprint(f(1))\n```\nAfter", FALSE);
  g_assert_cmpstr (t1, ==, "Before:\n\ndef f(x):\n    return *x*\n \nprint(f(1))\nAfter");
  ASSERT_TAGGED (buf, "pre", "def f(x):\n    return *x*\n \nprint(f(1))\n");
  ASSERT_TAGGED (buf, "em", "");

  /* ~~~ fences; a shorter fence inside does not close them. */
  t2 = render (buf, "~~~~\n~~~\n```\n~~~~\nx", FALSE);
  g_assert_cmpstr (t2, ==, "~~~\n```\nx");
  ASSERT_TAGGED (buf, "pre", "~~~\n```\n");

  /* Indented code after a blank line, blank lines inside it; four spaces
   * under a paragraph continue the paragraph. */
  t3 = render (buf, "Code:\n\n    int main (void)\n\n      { return 0; }\nend\n    not code", FALSE);
  g_assert_cmpstr (t3, ==, "Code:\n\nint main (void)\n \n  { return 0; }\nend not code");
  ASSERT_TAGGED (buf, "pre", "int main (void)\n \n  { return 0; }\n");
}

static void
test_lists (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  t = render (buf, "- one\n- two\n  - nested *em*\n    * deeper\n- three\n\n1. first\n   - sub\n2. second\n\nafter", FALSE);
  g_assert_cmpstr (t, ==, "•  one\n•  two\n◦  nested em\n▪  deeper\n•  three\n\n1. first\n◦  sub\n2. second\n\nafter");
  ASSERT_TAGGED (buf, "list", "•  one\n•  two\n|•  three\n|1. first\n|2. second\n");
  ASSERT_TAGGED (buf, "list2", "◦  nested em\n|◦  sub\n");
  ASSERT_TAGGED (buf, "list3", "▪  deeper\n");
  ASSERT_TAGGED (buf, "em", "em");
}

static void
test_tables (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL;
  g_auto (GStrv) rows = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  t1 = render (buf,
               "| a | b | c |\n"
               "|---|:-:|--:|\n"
               "| 1 | two | 3.0 |\n"
               "| `code` | **bold** | *em* |\n"
               "| escaped \\| pipe | x | y | extra |\n"
               "| short |\n", FALSE);
  rows = g_strsplit (t1, "\n", -1);
  /* Widths 14, 4, 3: a left, b centred, c right; the header's columns only. */
  g_assert_cmpuint (g_strv_length (rows), ==, 7);
  g_assert_cmpstr (rows[0], ==, "a              │  b   │   c");
  g_assert_cmpstr (rows[1], ==, "───────────────┼──────┼────");
  g_assert_cmpstr (rows[2], ==, "1              │ two  │ 3.0");
  g_assert_cmpstr (rows[3], ==, "code           │ bold │  em");
  g_assert_cmpstr (rows[4], ==, "escaped | pipe │  x   │   y");
  g_assert_cmpstr (rows[5], ==, "short          │      │    ");
  g_assert_cmpstr (rows[6], ==, "");
  ASSERT_TAGGED (buf, "code", "code");
  ASSERT_TAGGED (buf, "strong", "bold");
  ASSERT_TAGGED (buf, "em", "em");
  ASSERT_TAGGED (buf, "table-header", "a              │  b   │   c\n");

  /* Without a delimiter row of as many cells, pipes are text (GFM): a
   * paragraph, its lines joined. */
  t2 = render (buf, "| a | b |\nno table\n\n| a | b |\n|---|\n", FALSE);
  g_assert_cmpstr (t2, ==, "| a | b | no table\n\n| a | b | |---|\n");
  ASSERT_TAGGED (buf, "table", "");
}

static void
test_links (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autoptr (GString) many = g_string_new (NULL);
  g_autofree char *t = NULL, *tm = NULL;
  GtkTextIter it;
  int n_tags;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  t = render (buf, "see [the **docs**](https://e.org/x) and [b](u2), [broken](no close", FALSE);
  g_assert_cmpstr (t, ==, "see the docs and b, [broken](no close");
  ASSERT_TAGGED (buf, "link", "the docs|b");
  ASSERT_TAGGED (buf, "strong", "docs");
  gtk_text_buffer_get_iter_at_offset (buf, &it, 4);
  g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "https://e.org/x");
  gtk_text_buffer_get_iter_at_offset (buf, &it, 11);
  g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "https://e.org/x");
  gtk_text_buffer_get_iter_at_offset (buf, &it, 12);
  g_assert_null (lm_markdown_link_at_iter (&it));
  gtk_text_buffer_get_iter_at_offset (buf, &it, 17);
  g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "u2");
  gtk_text_buffer_get_iter_at_offset (buf, &it, 25);
  g_assert_null (lm_markdown_link_at_iter (&it));

  /* One tag for all links: thousands add none to the table. */
  n_tags = gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buf));
  for (int i = 0; i < 3000; i++)
    g_string_append_printf (many, "Paragraph %d with a [link](http://x/%d).\n\n", i, i);
  tm = render (buf, many->str, FALSE);
  g_assert_cmpint (gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buf)), ==, n_tags);
  gtk_text_buffer_get_iter_at_offset (buf, &it, (int) (strstr (tm, "Paragraph 2999") - tm) + 22);
  g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "http://x/2999");

  /* Plain text has no links. */
  g_free (render (buf, "[a](b)", TRUE));
  gtk_text_buffer_get_start_iter (buf, &it);
  g_assert_null (lm_markdown_link_at_iter (&it));
}

static void
test_paragraphs (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *t = NULL, *t2 = NULL, *copy = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  /* A newline inside a paragraph is a space (the text reflows); two
   * spaces or a backslash before it make a hard break; blanks around a
   * break go.  Spans go on across lines.  List items and quotes take
   * their next lines, indented or lazy.  Only "1." starts a numbered list
   * inside a paragraph. */
  t = render (buf,
              "one\ntwo  \nthree\\\nfour \n   five\n\n"
              "six *em\nspans* lines\\\n\n"
              "- item\n  continues\nlazily\n- next\n\n"
              "> quoted\n>   on two lines\nlazy\n>\n> second\n\n"
              "Text\n2. not a list\n1. a list", FALSE);
  g_assert_cmpstr (t, ==,
                   "one two\nthree\nfour five\n\n"
                   "six em spans lines\\\n\n"
                   "•  item continues lazily\n•  next\n\n"
                   "quoted on two lines lazy\n\nsecond\n\n"
                   "Text 2. not a list\n1. a list");
  ASSERT_TAGGED (buf, "em", "em spans");
  ASSERT_TAGGED (buf, "list", "•  item continues lazily\n•  next\n|1. a list");
  ASSERT_TAGGED (buf, "quote", "quoted on two lines lazy\n\nsecond\n");
  copy = copied (buf);
  g_assert_cmpstr (copy, ==, t);

  /* An escaped backslash makes no break. */
  t2 = render (buf, "a\\\\\nb", FALSE);
  g_assert_cmpstr (t2, ==, "a\\ b");
}

/* The buffer holds several lines (paragraphs to GtkTextView), each of at
 * most LM_MARKDOWN_MAX_LINE characters, and yet the text copied from it is
 * source, without the newlines that broke it: they are hidden. */
static void
assert_broken (GtkTextBuffer *buf, const char *source)
{
  g_autofree char *copy = copied (buf);
  GtkTextIter it;

  g_assert_cmpint (gtk_text_buffer_get_line_count (buf), >, 1);
  gtk_text_buffer_get_start_iter (buf, &it);
  do
    g_assert_cmpint (gtk_text_iter_get_chars_in_line (&it), <=, LM_MARKDOWN_MAX_LINE + 1);
  while (gtk_text_iter_forward_line (&it));
  g_assert_cmpstr (copy, ==, source);
}

/* The buffer's text with the hidden breaks: as GtkTextView lays it out. */
static char *
laid_out (GtkTextBuffer *buf)
{
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, TRUE);
}

static void
test_long_lines (void)
{
  g_autoptr (GtkTextBuffer) buf = NULL;
  g_autofree char *blob = g_malloc (100001), *words = NULL, *fenced = NULL, *para = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL, *t5 = NULL, *shown = NULL, *pre = NULL;
  g_autoptr (GString) w = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  SKIP_WITHOUT_DISPLAY ();
  buf = gtk_text_buffer_new (NULL);
  for (int i = 0; i < 100000; i++)
    blob[i] = (char) ('a' + i % 26);
  blob[100000] = 0;
  t1 = render (buf, blob, FALSE);
  g_assert_cmpstr (t1, ==, blob);
  assert_broken (buf, blob);
  {
    /* A word wrapped to the card's width gets no hyphen the text lacks. */
    GtkTextTag *text = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buf), "text");
    GtkTextIter start, end;
    gboolean hyphens = TRUE;

    g_assert_nonnull (text);
    g_object_get (text, "insert-hyphens", &hyphens, NULL);
    g_assert_false (hyphens);
    gtk_text_buffer_get_bounds (buf, &start, &end);
    g_assert_true (gtk_text_iter_starts_tag (&start, text));
    g_assert_true (gtk_text_iter_ends_tag (&end, text));
  }
  t2 = render (buf, blob, TRUE);
  g_assert_cmpstr (t2, ==, blob);
  assert_broken (buf, blob);

  /* Words: the breaks come after a space. */
  while (w->len < 50000)
    g_string_append (w, "ünïcödé words ");
  words = g_strdup (w->str);
  t3 = render (buf, words, TRUE);
  assert_broken (buf, words);
  shown = laid_out (buf);
  lines = g_strsplit (shown, "\n", -1);
  for (char **l = lines; l[1] != NULL; l++)
    g_assert_true (g_str_has_suffix (*l, " "));

  /* In a code block the breaks keep the background. */
  fenced = g_strconcat ("```\n", blob, "\n```", NULL);
  t4 = render (buf, fenced, FALSE);
  g_free (shown);
  shown = laid_out (buf);
  pre = tagged (buf, "pre");
  g_assert_cmpstr (pre, ==, shown);
  g_assert_cmpuint (strlen (t4), ==, strlen (blob) + 1);
  g_assert_true (g_str_has_prefix (t4, blob));

  /* A paragraph of many short lines is one line, broken where it is long. */
  g_string_truncate (w, 0);
  for (int i = 0; i < 500; i++)
    g_string_append_printf (w, "%sstep %d", i ? "\n" : "", i);
  para = g_strdup (w->str);
  t5 = render (buf, para, FALSE);
  g_strdelimit (para, "\n", ' ');
  g_assert_cmpstr (t5, ==, para);
  assert_broken (buf, para);
}

int
main (int argc, char **argv)
{
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/markdown/inline", test_inline);
  g_test_add_func ("/ui/markdown/headings-rules-quotes", test_headings_rules_quotes);
  g_test_add_func ("/ui/markdown/code-blocks", test_code_blocks);
  g_test_add_func ("/ui/markdown/lists", test_lists);
  g_test_add_func ("/ui/markdown/tables", test_tables);
  g_test_add_func ("/ui/markdown/links", test_links);
  g_test_add_func ("/ui/markdown/paragraphs", test_paragraphs);
  g_test_add_func ("/ui/markdown/long-lines", test_long_lines);
  return g_test_run ();
}
