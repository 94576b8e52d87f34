/* bench-markdown.c: the Text dashboard's Markdown renderer on large texts.
 *
 * What it measures, for texts a user can log with add_text (QA report items
 * D5, D6): one line without spaces (minified JSON, base64) of 20k, 100k and
 * 1M characters, and about 1 MB and 2 MB of Markdown with and without a
 * link per paragraph, and 2 MB of short lines without a blank line (a log
 * pasted as it is: one paragraph in Markdown, its lines joined).  For each: lm_markdown_render into the buffer of a
 * GtkTextView as a text card has it (380 pixels wide, WORD_CHAR wrapping),
 * then the first frame that shows it.  It prints times, and the number of
 * tags the buffer holds (one per style, not per link).
 *
 * Usage: xvfb-run -a bench-markdown [WORD]   (WORD: only the texts whose
 * name holds it, e.g. "links")
 */
#include <gtk/gtk.h>
#include <stdio.h>
#include <string.h>

#include "lm-markdown.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

static void
on_after_paint (GdkFrameClock *clock, gboolean *painted)
{
  *painted = TRUE;
}

static char *
long_line (gsize n)
{
  char *s = g_malloc (n + 1);

  for (gsize i = 0; i < n; i++)
    s[i] = (char) ('a' + i % 26);
  s[n] = 0;
  return s;
}

static char *
paragraphs (gsize size, gboolean links)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; s->len < size; i++)
    if (links)
      g_string_append_printf (s, "## Section %u\n\nParagraph %u with *emphasis* and `code` and a "
                              "[link](http://x/%u).\n\n- a\n- b\n\n", i, i, i);
    else
      g_string_append_printf (s, "## Section %u\n\nParagraph %u with *emphasis* and `code` and a "
                              "link to http x %u.\n\n- a\n- b\n\n", i, i, i);
  return g_string_free (s, FALSE);
}

static char *
log_lines (gsize size)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; s->len < size; i++)
    g_string_append_printf (s, "step %u loss 0.%04u lr 3e-4 *ok*\n", i, i % 10000);
  return g_string_free (s, FALSE);
}

static const char *only;

static void
run (const char *name, const char *text)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buf = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gboolean painted = FALSE;
  gulong id;
  double t0, t1, t2;

  if (only != NULL && strstr (name, only) == NULL)
    return;
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 380, 600);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  t0 = now_ms ();
  lm_markdown_render (buf, text, FALSE);
  t1 = now_ms ();
  id = g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint),
                         &painted);
  gtk_widget_queue_draw (view);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  t2 = now_ms ();
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (window), id);
  printf ("%-28s %8zu bytes  render %8.1f ms  first frame %8.1f ms  tags %d\n", name, strlen (text),
          t1 - t0, t2 - t1, gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buf)));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  static const gsize lines[] = { 20000, 100000, 1000000 };

  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-markdown: needs a display (xvfb-run -a)\n");
      return 1;
    }
  only = argc > 1 ? argv[1] : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *t = long_line (lines[i]);
      g_autofree char *name = g_strdup_printf ("line without spaces %zuk", lines[i] / 1000);

      run (name, t);
    }
  for (gsize mb = 1; mb <= 2; mb++)
    for (int links = 1; links >= 0; links--)
      {
        g_autofree char *t = paragraphs (mb << 20, links);
        g_autofree char *name = g_strdup_printf ("%zu MB Markdown, %s", mb, links ? "links" : "no links");

        run (name, t);
      }
  {
    g_autofree char *t = log_lines (2 << 20);

    run ("2 MB of lines, one paragraph", t);
  }
  return 0;
}
