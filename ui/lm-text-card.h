/* lm-text-card.h: one run's text tag with a step selector.
 *
 * What it is for: TensorBoard's text card: the text logged at the chosen
 * step rendered as basic Markdown (lm-markdown.h), a "Markdown" toggle to
 * see the source as plain text, every logged step reachable with a
 * slider (it follows the newest step while at the end).  Text that is not
 * valid UTF-8 shows a placeholder naming the problem.
 *
 * What it is not for: reading files (the LmRecordFeed does).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_TYPE_TEXT_CARD (lm_text_card_get_type ())
G_DECLARE_FINAL_TYPE (LmTextCard, lm_text_card, LM, TEXT_CARD, GtkBox)

GtkWidget     *lm_text_card_new       (LmRecordFeed *feed, const char *run_name, const char *tag);
void           lm_text_card_refresh   (LmTextCard *self);
guint          lm_text_card_get_n_steps (LmTextCard *self);
void           lm_text_card_set_index (LmTextCard *self, guint index);
void           lm_text_card_set_markdown (LmTextCard *self, gboolean markdown);
GtkTextBuffer *lm_text_card_get_buffer (LmTextCard *self);
/* The placeholder's message when the selected text cannot be shown. */
const char    *lm_text_card_get_error (LmTextCard *self);

G_END_DECLS
