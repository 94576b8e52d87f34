/* lm-card-grid.c: grouped scalar cards (see lm-card-grid.h). */
#include "lm-card-grid.h"
#include "lm-custom-scalars-view.h"
#include "lm-natural.h"
#include "lm-pins.h"

#include <string.h>

typedef struct
{
  char *name;
  GtkWidget *box;          /* header + flow */
  GtkWidget *header;       /* toggle button */
  GtkWidget *title;
  GtkWidget *count;
  GtkWidget *arrow;
  GtkWidget *flow;
  guint n_cards;
  guint n_shown;
} Section;

struct _LmCardGrid
{
  GtkBox parent_instance;

  LmRunSelection *selection;
  LmChartSettings *settings;
  LmRunStore *store;

  GtkWidget *entry;
  GtkWidget *count_label;
  GtkWidget *warning;
  GtkWidget *stack;
  GtkWidget *scrolled;
  GtkWidget *sections_box;
  GtkWidget *empty_title;
  GtkWidget *empty_body;
  GtkWidget *empty_spinner;
  GtkWidget *empty_open;

  GHashTable *sections;    /* group -> Section* */
  GHashTable *cards;       /* tag -> LmScalarCard* (borrowed; the flow owns it) */
  GRegex *regex;
  guint n_shown;

  /* TensorBoard's pinned cards: a second card per pinned tag, on top */
  GPtrArray *pinned;       /* tags in the order pinned, present or not */
  GHashTable *pin_cards;   /* tag -> LmScalarCard* in pin_flow (borrowed) */
  GtkWidget *pin_box, *pin_flow, *pin_count;

  /* TensorBoard's Custom Scalars: the runs' layouts, above Pinned */
  GtkWidget *custom;
};

enum
{
  PINS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmCardGrid, lm_card_grid, GTK_TYPE_BOX)

static void
section_free (gpointer data)
{
  Section *s = data;

  g_free (s->name);
  g_free (s);
}

static char *
group_of (const char *tag)
{
  const char *slash = strchr (tag, '/');

  return slash ? g_strndup (tag, slash - tag) : g_strdup (tag);
}

/* Groups people look at first come first (training curves, then held-out
 * metrics); the rest follow in name order. */
static int
group_rank (const char *name)
{
  static const char *const first[] = {
    "train", "training", "val", "valid", "validation", "eval", "evaluation", "test",
  };

  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    if (g_ascii_strcasecmp (name, first[i]) == 0)
      return (int) i;
  return G_N_ELEMENTS (first);
}

static int
compare_groups (const char *a, const char *b)
{
  int ra = group_rank (a), rb = group_rank (b);

  return ra != rb ? ra - rb : lm_natural_compare (a, b);
}

static gboolean
tag_matches (LmCardGrid *self, const char *tag)
{
  return self->regex == NULL || g_regex_match (self->regex, tag, 0, NULL);
}

/* ---------------------------------------------------------- empty page */

static void
update_empty_page (LmCardGrid *self)
{
  const char *title = NULL, *body = NULL;
  g_autofree char *body_owned = NULL;
  gboolean loading = lm_run_store_get_loading (self->store);
  guint n_runs = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint n_tags = g_hash_table_size (self->cards);
  gboolean spin = loading && n_tags == 0 && self->n_shown == 0;

  /* A spinning spinner animates even on a hidden stack page: it would
   * keep the frame clock running (and the CPU busy) forever. */
  gtk_widget_set_visible (self->empty_spinner, spin);
  gtk_spinner_set_spinning (GTK_SPINNER (self->empty_spinner), spin);
  if (self->n_shown > 0 || g_hash_table_size (self->pin_cards) > 0)
    {
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "cards");
      return;
    }
  if (n_tags > 0)
    {
      title = "No tags match the filter";
      body = body_owned = g_strdup_printf ("No scalar tag matches “%s”. Clear the filter (Esc) to see all %u tags.",
                                           gtk_editable_get_text (GTK_EDITABLE (self->entry)), n_tags);
    }
  else if (lm_run_store_get_error (self->store) != NULL)
    {
      title = lm_run_store_get_error_title (self->store);
      body = body_owned = g_strdup_printf ("%s\n\nLumen keeps watching: runs appear here as soon as a "
                                           "training program starts writing them.",
                                           lm_run_store_get_error (self->store));
    }
  else if (loading)
    {
      title = "Loading runs…";
      body = "";
    }
  else if (n_runs == 0)
    {
      title = "No runs yet";
      body = body_owned = g_strdup_printf ("No run.lumen files under %s.\n\nLog from C with lumen-log "
                                           "(lm_writer_open (&w, \"%s\", \"exp1\")) or train with "
                                           "lumen-train; runs appear here live.",
                                           lm_run_store_get_logdir (self->store),
                                           lm_run_store_get_paths (self->store)[0]);
    }
  else
    {
      title = "No scalar data yet";
      body = body_owned = g_strdup_printf ("%u run%s found, none with scalars so far (or all hidden). "
                                           "Charts appear as soon as a run logs a scalar.",
                                           n_runs, n_runs == 1 ? "" : "s");
    }
  gtk_label_set_text (GTK_LABEL (self->empty_title), title);
  gtk_label_set_text (GTK_LABEL (self->empty_body), body);
  gtk_widget_set_visible (self->empty_open, n_tags == 0 && !loading
                          && (n_runs == 0 || lm_run_store_get_error (self->store) != NULL));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

static void
update_counts (LmCardGrid *self)
{
  GHashTableIter it;
  gpointer key, value;
  g_autofree char *text = NULL;
  guint total = g_hash_table_size (self->cards);

  self->n_shown = 0;
  g_hash_table_iter_init (&it, self->sections);
  while (g_hash_table_iter_next (&it, NULL, &value))
    ((Section *) value)->n_shown = 0;
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (tag_matches (self, key))
      {
        g_autofree char *group = group_of (key);
        Section *s = g_hash_table_lookup (self->sections, group);

        if (s)
          s->n_shown++;
        self->n_shown++;
      }
  g_hash_table_iter_init (&it, self->sections);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Section *s = value;
      char n[32];

      g_snprintf (n, sizeof n, "%u", s->n_shown);
      gtk_label_set_text (GTK_LABEL (s->count), n);
      gtk_widget_set_visible (s->box, s->n_shown > 0);
    }
  if (self->regex != NULL)
    text = g_strdup_printf ("%u of %u tags", self->n_shown, total);
  else
    text = g_strdup_printf ("%u tag%s", total, total == 1 ? "" : "s");
  gtk_label_set_text (GTK_LABEL (self->count_label), text);
  update_empty_page (self);
}

/* ------------------------------------------------------------- sections */

static gboolean
flow_filter (GtkFlowBoxChild *child, gpointer user_data)
{
  LmCardGrid *self = user_data;
  LmScalarCard *card = LM_SCALAR_CARD (gtk_flow_box_child_get_child (child));

  return tag_matches (self, lm_scalar_card_get_tag (card));
}

static int
flow_sort (GtkFlowBoxChild *a, GtkFlowBoxChild *b, gpointer user_data)
{
  return lm_natural_compare (lm_scalar_card_get_tag (LM_SCALAR_CARD (gtk_flow_box_child_get_child (a))),
                             lm_scalar_card_get_tag (LM_SCALAR_CARD (gtk_flow_box_child_get_child (b))));
}

static void
on_section_toggled (GtkToggleButton *button, Section *s)
{
  gboolean open = gtk_toggle_button_get_active (button);

  gtk_widget_set_visible (s->flow, open);
  gtk_image_set_from_icon_name (GTK_IMAGE (s->arrow), open ? "pan-down-symbolic" : "pan-end-symbolic");
}

static Section *
ensure_section (LmCardGrid *self, const char *name)
{
  Section *s = g_hash_table_lookup (self->sections, name);
  GtkWidget *header_box, *after = NULL;
  GHashTableIter it;
  gpointer value;

  if (s != NULL)
    return s;
  s = g_new0 (Section, 1);
  s->name = g_strdup (name);
  s->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  s->header = gtk_toggle_button_new ();
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (s->header), TRUE);
  gtk_widget_add_css_class (s->header, "flat");
  gtk_widget_add_css_class (s->header, "lm-section-header");
  header_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  s->arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");
  s->title = gtk_label_new (*name ? name : "(no group)");   /* tags "" and "/x" */
  gtk_widget_add_css_class (s->title, "lm-section-title");
  /* a long tag without '/' is its own group: shortened, never wider than
   * the page */
  gtk_label_set_ellipsize (GTK_LABEL (s->title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (s->title, *name ? name : NULL);
  s->count = gtk_label_new ("0");
  gtk_widget_add_css_class (s->count, "lm-section-count");
  gtk_box_append (GTK_BOX (header_box), s->arrow);
  gtk_box_append (GTK_BOX (header_box), s->title);
  gtk_box_append (GTK_BOX (header_box), s->count);
  gtk_button_set_child (GTK_BUTTON (s->header), header_box);
  gtk_widget_set_halign (s->header, GTK_ALIGN_START);
  g_signal_connect (s->header, "toggled", G_CALLBACK (on_section_toggled), s);

  s->flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (s->flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (s->flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (s->flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (s->flow), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (s->flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (s->flow), 12);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (s->flow), FALSE);
  gtk_flow_box_set_filter_func (GTK_FLOW_BOX (s->flow), flow_filter, self, NULL);
  gtk_flow_box_set_sort_func (GTK_FLOW_BOX (s->flow), flow_sort, NULL, NULL);

  gtk_box_append (GTK_BOX (s->box), s->header);
  gtk_box_append (GTK_BOX (s->box), s->flow);

  /* Sections in order: after the last one that sorts before. */
  g_hash_table_iter_init (&it, self->sections);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Section *o = value;

      if (compare_groups (o->name, name) < 0
          && (after == NULL || compare_groups (o->name, g_object_get_data (G_OBJECT (after), "lm-group")) > 0))
        after = o->box;
    }
  g_object_set_data_full (G_OBJECT (s->box), "lm-group", g_strdup (name), g_free);
  /* the Pinned section stays first */
  gtk_box_insert_child_after (GTK_BOX (self->sections_box), s->box, after ? after : self->pin_box);
  g_hash_table_insert (self->sections, s->name, s);
  return s;
}

/* ---------------------------------------------------------------- pins */

static int
pin_index (LmCardGrid *self, const char *tag)
{
  return lm_pins_index (self->pinned, tag);
}

static int
pin_sort (GtkFlowBoxChild *a, GtkFlowBoxChild *b, gpointer user_data)
{
  LmCardGrid *self = user_data;

  return pin_index (self, lm_scalar_card_get_tag (LM_SCALAR_CARD (gtk_flow_box_child_get_child (a))))
         - pin_index (self, lm_scalar_card_get_tag (LM_SCALAR_CARD (gtk_flow_box_child_get_child (b))));
}

static void on_pin_toggled (GtkToggleButton *button, LmCardGrid *self);

static void
set_pin_button (LmCardGrid *self, LmScalarCard *card, gboolean active)
{
  lm_pin_button_set_quietly (lm_scalar_card_get_pin_button (card), active, on_pin_toggled, self);
}

static void
watch_pin (LmCardGrid *self, LmScalarCard *card, gboolean pinned)
{
  GtkToggleButton *button = lm_scalar_card_get_pin_button (card);

  g_object_set_data (G_OBJECT (button), "lm-tag", (gpointer) lm_scalar_card_get_tag (card));
  set_pin_button (self, card, pinned);
  g_signal_connect (button, "toggled", G_CALLBACK (on_pin_toggled), self);
}

/* The Pinned section shows a card for every pinned tag some run has (a
 * pinned tag not logged yet waits for it), in the order pinned; the
 * group cards' pin buttons follow. */
static void
sync_pins (LmCardGrid *self)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, self->pin_cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (pin_index (self, key) < 0 || !g_hash_table_contains (self->cards, key))
      {
        gtk_flow_box_remove (GTK_FLOW_BOX (self->pin_flow), gtk_widget_get_parent (value));
        g_hash_table_iter_remove (&it);
      }
  for (guint i = 0; i < self->pinned->len; i++)
    {
      const char *tag = g_ptr_array_index (self->pinned, i);
      GtkWidget *card;

      if (!g_hash_table_contains (self->cards, tag) || g_hash_table_contains (self->pin_cards, tag))
        continue;
      card = lm_scalar_card_new (tag, self->selection, self->settings);
      lm_chart_set_viewport (lm_scalar_card_get_chart (LM_SCALAR_CARD (card)), self->scrolled);
      watch_pin (self, LM_SCALAR_CARD (card), TRUE);
      gtk_flow_box_insert (GTK_FLOW_BOX (self->pin_flow), card, -1);
      g_hash_table_insert (self->pin_cards, (gpointer) lm_scalar_card_get_tag (LM_SCALAR_CARD (card)), card);
    }
  gtk_flow_box_invalidate_sort (GTK_FLOW_BOX (self->pin_flow));
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    set_pin_button (self, value, pin_index (self, key) >= 0);
  lm_pin_section_set_count (self->pin_box, self->pin_count, g_hash_table_size (self->pin_cards));
}

static void
on_pin_toggled (GtkToggleButton *button, LmCardGrid *self)
{
  /* the tag is the card's: copied, as unpinning removes the pinned card */
  g_autofree char *tag = g_strdup (g_object_get_data (G_OBJECT (button), "lm-tag"));

  lm_pin_button_hold (button);
  lm_card_grid_set_pinned (self, tag, gtk_toggle_button_get_active (button));
}

static void
sync_tags (LmCardGrid *self)
{
  GPtrArray *tags = lm_run_store_get_scalar_tags (self->store);
  GHashTable *want = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer key, value;
  GtkWidget *viewport = self->scrolled;

  for (guint i = 0; i < tags->len; i++)
    g_hash_table_add (want, g_ptr_array_index (tags, i));

  /* Cards whose tag went away (runs removed or reset). */
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!g_hash_table_contains (want, key))
      {
        g_autofree char *group = group_of (key);
        Section *s = g_hash_table_lookup (self->sections, group);
        GtkWidget *child = gtk_widget_get_parent (value);

        gtk_flow_box_remove (GTK_FLOW_BOX (s->flow), child);
        s->n_cards--;
        g_hash_table_iter_remove (&it);
        if (s->n_cards == 0)
          {
            gtk_box_remove (GTK_BOX (self->sections_box), s->box);
            g_hash_table_remove (self->sections, group);
          }
      }

  for (guint i = 0; i < tags->len; i++)
    {
      const char *tag = g_ptr_array_index (tags, i);
      g_autofree char *group = NULL;
      Section *s;
      GtkWidget *card;

      if (g_hash_table_contains (self->cards, tag))
        continue;
      group = group_of (tag);
      s = ensure_section (self, group);
      card = lm_scalar_card_new (tag, self->selection, self->settings);
      lm_chart_set_viewport (lm_scalar_card_get_chart (LM_SCALAR_CARD (card)), viewport);
      watch_pin (self, LM_SCALAR_CARD (card), pin_index (self, tag) >= 0);
      gtk_flow_box_insert (GTK_FLOW_BOX (s->flow), card, -1);
      s->n_cards++;
      g_hash_table_insert (self->cards, (gpointer) lm_scalar_card_get_tag (LM_SCALAR_CARD (card)), card);
    }
  g_hash_table_unref (want);
  sync_pins (self);
  update_counts (self);
}

static void
on_tags_changed (LmRunStore *store, LmCardGrid *self)
{
  sync_tags (self);
}

static void
on_store_state (GObject *object, GParamSpec *pspec, LmCardGrid *self)
{
  update_empty_page (self);
}

static void
on_store_items (GListModel *model, guint pos, guint removed, guint added, LmCardGrid *self)
{
  update_empty_page (self);
}

static void
on_scrolled (GtkAdjustment *adj, LmCardGrid *self)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, NULL, &value))
    lm_chart_viewport_changed (lm_scalar_card_get_chart (value));
  g_hash_table_iter_init (&it, self->pin_cards);
  while (g_hash_table_iter_next (&it, NULL, &value))
    lm_chart_viewport_changed (lm_scalar_card_get_chart (value));
  lm_custom_scalars_view_viewport_changed (LM_CUSTOM_SCALARS_VIEW (self->custom));
}

static void
on_adjustment_notify (GObject *adj, GParamSpec *pspec, LmCardGrid *self)
{
  on_scrolled (NULL, self);
}

/* ---------------------------------------------------------------- filter */

static void
apply_regex (LmCardGrid *self, GRegex *regex)
{
  GHashTableIter it;
  gpointer value;

  g_clear_pointer (&self->regex, g_regex_unref);
  self->regex = regex;
  g_hash_table_iter_init (&it, self->sections);
  while (g_hash_table_iter_next (&it, NULL, &value))
    gtk_flow_box_invalidate_filter (GTK_FLOW_BOX (((Section *) value)->flow));
  update_counts (self);
  /* Cards moved up into view need their first render. */
  on_scrolled (NULL, self);
}

static gboolean
parse_filter (LmCardGrid *self, const char *text, GError **error)
{
  GRegex *regex = NULL;

  if (text != NULL && text[0] != '\0')
    {
      regex = g_regex_new (text, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
      if (regex == NULL)
        return FALSE;
    }
  apply_regex (self, regex);
  return TRUE;
}

static void
on_entry_changed (GtkSearchEntry *entry, LmCardGrid *self)
{
  g_autoptr (GError) error = NULL;

  if (parse_filter (self, gtk_editable_get_text (GTK_EDITABLE (entry)), &error))
    {
      gtk_widget_set_visible (self->warning, FALSE);
      gtk_widget_remove_css_class (self->entry, "error");
    }
  else
    {
      g_autofree char *msg = g_strdup_printf ("Invalid regular expression: %s", error->message);

      gtk_label_set_text (GTK_LABEL (self->warning), msg);
      gtk_widget_set_visible (self->warning, TRUE);
      gtk_widget_add_css_class (self->entry, "error");
    }
}

static void
on_stop_search (GtkSearchEntry *entry, LmCardGrid *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

gboolean
lm_card_grid_set_filter (LmCardGrid *self, const char *regex, GError **error)
{
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (LM_IS_CARD_GRID (self), FALSE);
  if (regex != NULL && regex[0] != '\0')
    {
      GRegex *r = g_regex_new (regex, G_REGEX_CASELESS, 0, &local);

      if (r == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_regex_unref (r);
    }
  /* The entry's "search-changed" is delayed; apply now as well. */
  gtk_editable_set_text (GTK_EDITABLE (self->entry), regex ? regex : "");
  on_entry_changed (GTK_SEARCH_ENTRY (self->entry), self);
  return TRUE;
}

/* ----------------------------------------------------------------- object */

static void
lm_card_grid_dispose (GObject *object)
{
  LmCardGrid *self = LM_CARD_GRID (object);

  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_card_grid_parent_class)->dispose (object);
}

static void
lm_card_grid_finalize (GObject *object)
{
  LmCardGrid *self = LM_CARD_GRID (object);

  g_hash_table_unref (self->cards);
  g_hash_table_unref (self->pin_cards);
  g_ptr_array_unref (self->pinned);
  g_hash_table_unref (self->sections);
  g_clear_pointer (&self->regex, g_regex_unref);
  G_OBJECT_CLASS (lm_card_grid_parent_class)->finalize (object);
}

static void
lm_card_grid_class_init (LmCardGridClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_card_grid_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_card_grid_finalize;
  signals[PINS_CHANGED] = g_signal_new ("pins-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_card_grid_init (LmCardGrid *self)
{
  self->sections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, section_free);
  self->cards = g_hash_table_new (g_str_hash, g_str_equal);
  self->pin_cards = g_hash_table_new (g_str_hash, g_str_equal);
  self->pinned = g_ptr_array_new_with_free_func (g_free);
}

static GtkWidget *
build_empty_page (LmCardGrid *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_start (box, 48);
  gtk_widget_set_margin_end (box, 48);
  self->empty_spinner = gtk_spinner_new ();
  gtk_widget_set_size_request (self->empty_spinner, 32, 32);
  self->empty_title = gtk_label_new ("");
  gtk_widget_add_css_class (self->empty_title, "title-1");
  self->empty_body = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->empty_body), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->empty_body), 60);
  gtk_label_set_justify (GTK_LABEL (self->empty_body), GTK_JUSTIFY_CENTER);
  gtk_label_set_selectable (GTK_LABEL (self->empty_body), TRUE);
  gtk_widget_add_css_class (self->empty_body, "dim-label");
  self->empty_open = gtk_button_new_with_mnemonic ("_Open Another Log Directory…");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_open), "win.open");
  gtk_widget_set_halign (self->empty_open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->empty_open, "suggested-action");
  gtk_box_append (GTK_BOX (box), self->empty_spinner);
  gtk_box_append (GTK_BOX (box), self->empty_title);
  gtk_box_append (GTK_BOX (box), self->empty_body);
  gtk_box_append (GTK_BOX (box), self->empty_open);
  return box;
}

/* The Custom Scalars section reads while the Scalars view shows. */
static void
on_map_changed (GtkWidget *widget, LmCardGrid *self)
{
  lm_custom_scalars_view_set_active (LM_CUSTOM_SCALARS_VIEW (self->custom), gtk_widget_get_mapped (widget));
}

GtkWidget *
lm_card_grid_new (LmRunSelection *selection, LmChartSettings *settings)
{
  LmCardGrid *self = g_object_new (LM_TYPE_CARD_GRID, "orientation", GTK_ORIENTATION_VERTICAL, NULL);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkAdjustment *vadj;

  self->selection = g_object_ref (selection);
  self->settings = g_object_ref (settings);
  self->store = g_object_ref (lm_run_selection_get_store (selection));

  gtk_widget_add_css_class (bar, "lm-filter-bar");
  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry, "placeholder-text", "Filter tags (regex)", NULL);
  gtk_widget_set_hexpand (self->entry, TRUE);
  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect (self->entry, "stop-search", G_CALLBACK (on_stop_search), self);
  self->count_label = gtk_label_new ("");
  gtk_widget_add_css_class (self->count_label, "dim-label");
  gtk_box_append (GTK_BOX (bar), self->entry);
  gtk_box_append (GTK_BOX (bar), self->count_label);
  gtk_box_append (GTK_BOX (self), bar);

  self->warning = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->warning), 0);
  gtk_label_set_wrap (GTK_LABEL (self->warning), TRUE);
  gtk_widget_add_css_class (self->warning, "lm-warning");
  gtk_widget_set_visible (self->warning, FALSE);
  gtk_box_append (GTK_BOX (self), self->warning);

  self->sections_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  gtk_widget_add_css_class (self->sections_box, "lm-sections");
  /* cards keep their height when few of them leave the page half empty */
  gtk_widget_set_valign (self->sections_box, GTK_ALIGN_START);
  self->custom = lm_custom_scalars_view_new (selection, settings);
  gtk_box_append (GTK_BOX (self->sections_box), self->custom);
  self->pin_box = lm_pin_section_new (8, pin_sort, self, &self->pin_flow, &self->pin_count);
  gtk_box_append (GTK_BOX (self->sections_box), self->pin_box);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), self->sections_box);
  lm_custom_scalars_view_set_viewport (LM_CUSTOM_SCALARS_VIEW (self->custom), self->scrolled);
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));
  g_signal_connect (vadj, "value-changed", G_CALLBACK (on_scrolled), self);
  g_signal_connect (vadj, "notify::page-size", G_CALLBACK (on_adjustment_notify), self);
  g_signal_connect (vadj, "notify::upper", G_CALLBACK (on_adjustment_notify), self);

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_stack_add_named (GTK_STACK (self->stack), self->scrolled, "cards");
  gtk_stack_add_named (GTK_STACK (self->stack), build_empty_page (self), "empty");
  gtk_box_append (GTK_BOX (self), self->stack);

  g_signal_connect_after (self, "map", G_CALLBACK (on_map_changed), self);
  g_signal_connect_after (self, "unmap", G_CALLBACK (on_map_changed), self);
  g_signal_connect (self->store, "tags-changed", G_CALLBACK (on_tags_changed), self);
  g_signal_connect (self->store, "notify::loading", G_CALLBACK (on_store_state), self);
  g_signal_connect (self->store, "notify::error", G_CALLBACK (on_store_state), self);
  g_signal_connect (self->store, "items-changed", G_CALLBACK (on_store_items), self);
  sync_tags (self);
  return GTK_WIDGET (self);
}

GtkWidget *
lm_card_grid_get_custom_scalars (LmCardGrid *self)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), NULL);
  return self->custom;
}

GtkWidget *
lm_card_grid_get_filter_entry (LmCardGrid *self)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), NULL);
  return self->entry;
}

LmScalarCard *
lm_card_grid_find_card (LmCardGrid *self, const char *tag)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), NULL);
  return g_hash_table_lookup (self->cards, tag);
}

guint
lm_card_grid_get_n_shown (LmCardGrid *self)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), 0);
  return self->n_shown;
}

gboolean
lm_card_grid_is_up_to_date (LmCardGrid *self)
{
  GHashTableIter it;
  gpointer key, value;

  g_return_val_if_fail (LM_IS_CARD_GRID (self), FALSE);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      LmChart *chart = lm_scalar_card_get_chart (value);
      g_autofree char *group = group_of (key);
      Section *s = g_hash_table_lookup (self->sections, group);

      /* Cards filtered out or in a collapsed section are not drawn. */
      if (!tag_matches (self, key) || s == NULL || !gtk_widget_get_visible (s->flow))
        continue;
      if (!lm_chart_is_settled (chart))
        return FALSE;
    }
  g_hash_table_iter_init (&it, self->pin_cards);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (!lm_chart_is_settled (lm_scalar_card_get_chart (value)))
      return FALSE;
  return lm_custom_scalars_view_is_settled (LM_CUSTOM_SCALARS_VIEW (self->custom));
}

gboolean
lm_card_grid_first_screen_drawn (LmCardGrid *self)
{
  GHashTableIter it;
  gpointer key, value;
  guint on_screen = 0;

  g_return_val_if_fail (LM_IS_CARD_GRID (self), FALSE);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || (self->n_shown == 0 && g_hash_table_size (self->pin_cards) == 0))
    return FALSE;
  g_hash_table_iter_init (&it, self->pin_cards);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      LmChart *chart = lm_scalar_card_get_chart (value);

      if (!gtk_widget_get_mapped (GTK_WIDGET (chart)) || gtk_widget_get_width (GTK_WIDGET (chart)) <= 0
          || !lm_chart_is_on_screen (chart))
        continue;
      on_screen++;
      if (!lm_chart_has_drawn_data (chart))
        return FALSE;
    }
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      LmChart *chart = lm_scalar_card_get_chart (value);

      if (!tag_matches (self, key) || !gtk_widget_get_mapped (GTK_WIDGET (chart))
          || gtk_widget_get_width (GTK_WIDGET (chart)) <= 0 || !lm_chart_is_on_screen (chart))
        continue;
      on_screen++;
      if (!lm_chart_has_drawn_data (chart))
        return FALSE;
    }
  return on_screen > 0;
}

/* Every chart of `cards` (a tag's or a pin's card, by key) at its full
 * extent. */
static void
reset_cards_zoom (GHashTable *cards)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, cards);
  while (g_hash_table_iter_next (&it, NULL, &value))
    lm_chart_reset_view (lm_scalar_card_get_chart (value));
}

/* The cards viewed larger, in windows of their own that go with `root`
 * (a tag's, a pinned one's or a Custom Scalars chart's, whether or not
 * their card is still in the grid). */
static void
reset_larger_zoom (GtkRoot *root)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; root != NULL && i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (tops, i);
      GtkWidget *child = gtk_window_get_child (w);

      if (GTK_ROOT (gtk_window_get_transient_for (w)) == root && LM_IS_SCALAR_CARD (child))
        lm_chart_reset_view (lm_scalar_card_get_chart (LM_SCALAR_CARD (child)));
    }
}

void
lm_card_grid_reset_zoom (LmCardGrid *self)
{
  LmCustomScalarsView *custom;

  g_return_if_fail (LM_IS_CARD_GRID (self));
  custom = LM_CUSTOM_SCALARS_VIEW (self->custom);
  reset_cards_zoom (self->cards);
  reset_cards_zoom (self->pin_cards);
  /* the Custom Scalars charts above them are charts of this view too */
  for (guint i = 0; i < lm_custom_scalars_view_get_n_cards (custom); i++)
    lm_chart_reset_view (lm_scalar_card_get_chart (lm_custom_scalars_view_get_card (custom, i)));
  /* and so are the cards viewed larger */
  reset_larger_zoom (gtk_widget_get_root (GTK_WIDGET (self)));
}

gboolean
lm_card_grid_set_pinned (LmCardGrid *self, const char *tag, gboolean pinned)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);
  if (!lm_pins_set (self->pinned, tag, pinned))
    return FALSE;
  sync_pins (self);
  update_empty_page (self);
  /* a new pinned card needs its first render */
  on_scrolled (NULL, self);
  g_signal_emit (self, signals[PINS_CHANGED], 0);
  return TRUE;
}

gboolean
lm_card_grid_is_pinned (LmCardGrid *self, const char *tag)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), FALSE);
  return pin_index (self, tag) >= 0;
}

void
lm_card_grid_set_pinned_tags (LmCardGrid *self, const char *const *tags)
{
  g_return_if_fail (LM_IS_CARD_GRID (self));
  lm_pins_replace (self->pinned, tags);
  sync_pins (self);
  update_empty_page (self);
  on_scrolled (NULL, self);
}

GPtrArray *
lm_card_grid_get_pinned_tags (LmCardGrid *self)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), NULL);
  return self->pinned;
}

LmScalarCard *
lm_card_grid_find_pinned_card (LmCardGrid *self, const char *tag)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), NULL);
  return g_hash_table_lookup (self->pin_cards, tag);
}

guint
lm_card_grid_get_n_pinned_shown (LmCardGrid *self)
{
  g_return_val_if_fail (LM_IS_CARD_GRID (self), 0);
  return g_hash_table_size (self->pin_cards);
}
