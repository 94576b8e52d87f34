/* lm-markdown.h: basic Markdown into a GtkTextBuffer.
 *
 * What it is for: text records (`add_text` accepts Markdown, TensorBoard
 * renders it): ATX headings (#..######), **strong**, *emphasis* and
 * _emphasis_, `inline code`, [links](url), fenced code blocks, bullet and
 * numbered lists, > quotes and pipe tables (aligned in a monospace block,
 * header in bold).  Anything else is inserted as the plain text it is, so nothing
 * the user logged is ever hidden.  Tags are named "h1".."h3", "strong",
 * "em", "code", "pre", "list", "quote", "table", "table-header".
 *
 * What it is not for: full CommonMark (no images, HTML, nesting).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Replaces the buffer's text.  plain: insert the source as is. */
void lm_markdown_render (GtkTextBuffer *buffer, const char *text, gboolean plain);

/* The URL of the link under widget coordinates (x, y) of a view showing
 * rendered Markdown, or NULL. */
const char *lm_markdown_link_at (GtkTextView *view, double x, double y);

G_END_DECLS
