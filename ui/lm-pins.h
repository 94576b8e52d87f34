/* lm-pins.h: TensorBoard's pinned cards, the pieces every dashboard shares
 * (private to ui/).
 *
 * What it is for: the pin button of a card's header (its icon, tooltip
 * and accessible name following its state), the Pinned section above a
 * dashboard's cards (a header with the count over a flow box), and the
 * list of pinned keys in the order pinned.  The dashboards (lm-card-grid.c
 * for scalars, lm-record-dashboard.c for histograms, distributions,
 * images and PR curves) keep the cards; settings.ini keeps the lists (lm-preferences.c).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A flat toggle button with the pin icon, "Pin this card to the top" or
 * "Unpin this card" as its tooltip and accessible name. */
GtkWidget *lm_pin_button_new        (void);
/* Sets the button's state without calling `handler` (a "toggled"
 * handler connected with `data`). */
void       lm_pin_button_set_quietly (GtkToggleButton *button, gboolean active, gpointer handler, gpointer data);
/* For a "toggled" handler that unpins: the pinned card goes, button and
 * all, while GTK is still in the button's handler; keeps it until idle. */
void       lm_pin_button_hold       (GtkToggleButton *button);

/* The Pinned section, hidden until lm_pin_section_set_count says it has
 * cards; *flow gets its flow box (sorted by `sort`), *count the count label. */
GtkWidget *lm_pin_section_new       (guint max_per_line, GtkFlowBoxSortFunc sort, gpointer sort_data,
                                     GtkWidget **flow, GtkWidget **count);
void       lm_pin_section_set_count (GtkWidget *section, GtkWidget *count, guint n);

/* The pinned keys, in the order pinned (an array of strings, g_free). */
int        lm_pins_index            (GPtrArray *pins, const char *key);
/* TRUE when it changed the list. */
gboolean   lm_pins_set              (GPtrArray *pins, const char *key, gboolean pinned);
/* Replaces the list with `keys` (NULL: none), repeats left out. */
void       lm_pins_replace          (GPtrArray *pins, const char *const *keys);

G_END_DECLS
