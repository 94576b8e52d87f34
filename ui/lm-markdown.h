/* lm-markdown.h: basic Markdown into a GtkTextBuffer.
 *
 * What it is for: text records (`add_text` accepts Markdown, TensorBoard
 * renders it as GitHub-flavoured Markdown): ATX (#..######) and setext
 * (=== and --- underlines) headings, paragraphs whose lines are joined (a
 * newline is a space and the text reflows; two trailing spaces or a
 * backslash make a hard break), thematic breaks (---, ***, ___), **strong**,
 * *emphasis*, _emphasis_, ***both***, `inline code`, backslash escapes,
 * [links](url), fenced (``` and ~~~) and 4-space indented code blocks,
 * bullet and numbered lists nested by indentation, > quotes and pipe tables
 * (aligned in a monospace block as the delimiter row says, header in bold,
 * inline Markdown in the cells, `\|` for a pipe inside a cell, cells beyond
 * the header's dropped).  Anything else is inserted as the plain text it
 * is, so nothing the user logged is ever hidden.  Tags are named "h1".."h3",
 * "strong", "em", "code", "link", "pre", "list" (top level), "list2".."list4"
 * (nested), "quote", "table", "table-header", "hr" (a rule: a line holding
 * a space), "break" and "text" (the whole text: no inserted hyphens).
 *
 * Lines longer than LM_MARKDOWN_MAX_LINE characters (minified JSON, base64,
 * long paragraphs) are broken into paragraphs of at most that many, at a
 * space where there is one: Pango lays a paragraph out in time quadratic in
 * its longest unbreakable run, and GtkTextView lays out only the paragraphs
 * on screen up front.  The newlines that break them are tagged "break",
 * invisible, so the text copied from the view is the logged text.
 *
 * What it is not for: full CommonMark (no images, HTML, reference links,
 * blocks inside list items or quotes beyond their paragraphs).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LM_MARKDOWN_MAX_LINE 1000

/* Replaces the buffer's text.  plain: insert the source as is (long lines
 * are still broken, invisibly).  The buffer must not be edited afterwards:
 * links are found by offset. */
void lm_markdown_render (GtkTextBuffer *buffer, const char *text, gboolean plain);

/* The URL of the link at iter, in a buffer lm_markdown_render filled, or NULL. */
const char *lm_markdown_link_at_iter (const GtkTextIter *iter);

/* The URL of the link under widget coordinates (x, y) of a view showing
 * rendered Markdown, or NULL. */
const char *lm_markdown_link_at (GtkTextView *view, double x, double y);

G_END_DECLS
