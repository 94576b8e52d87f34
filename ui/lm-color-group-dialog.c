/* lm-color-group-dialog.c: the regex colour-group dialog (see header). */
#include "lm-color-group-dialog.h"
#include "lm-palette.h"
#include "lm-run-color-group.h"

struct _LmColorGroupDialog
{
  GtkDialog parent_instance;
  LmRunStore *store;
  LmRunColorGroup *current;   /* a copy of the runs' grouping, numbering new
                               * groups as the run list does */
  GtkWidget *entry;
  GtkWidget *error;
  GtkWidget *preview;     /* a vertical box, filled anew on each change */
};

G_DEFINE_FINAL_TYPE (LmColorGroupDialog, lm_color_group_dialog, GTK_TYPE_DIALOG)

static void
draw_dot (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  gdk_cairo_set_source_rgba (cr, user_data);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0 - 1, 0, 2 * G_PI);
  cairo_fill (cr);
}

/* A heading of the preview: a colour dot and a bold title. */
static void
add_heading (LmColorGroupDialog *self, const GdkRGBA *color, const char *title)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *dot = gtk_drawing_area_new ();
  GtkWidget *label = gtk_label_new (title);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (dot), 12);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (dot), 12);
  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (dot), draw_dot, gdk_rgba_copy (color),
                                  (GDestroyNotify) gdk_rgba_free);
  gtk_widget_add_css_class (dot, "lm-swatch");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (row), dot);
  gtk_box_append (GTK_BOX (row), label);
  gtk_widget_set_margin_top (row, 6);
  gtk_box_append (GTK_BOX (self->preview), row);
}

/* The preview lists this many groups and this many runs of a group at
 * the most (and how many more there are), so that each key typed in a
 * sweep of thousands of runs takes milliseconds, not a second. */
#define MAX_GROUPS 100
#define MAX_RUNS 100

/* A group's runs, the first MAX_RUNS of n of them. */
typedef struct
{
  GString *names;   /* one a line */
  guint n;
} Runs;

static void
runs_add (Runs *runs, LmRun *run)
{
  if (runs->n++ < MAX_RUNS)
    g_string_append_printf (runs->names, "%s%s", runs->names->len ? "\n" : "", lm_run_get_name (run));
}

/* The runs under a heading, one a line. */
static void
add_runs (LmColorGroupDialog *self, Runs *runs)
{
  GtkWidget *label;

  if (runs->n > MAX_RUNS)
    g_string_append_printf (runs->names, "\n… and %u more", runs->n - MAX_RUNS);
  label = gtk_label_new (runs->names->str);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 18);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (self->preview), label);
}

typedef struct
{
  int color;       /* its palette colour */
  char *label;
  Runs runs;
} Group;

static void
group_clear (gpointer data)
{
  Group *g = data;

  g_free (g->label);
  g_string_free (g->runs.names, TRUE);
}

/* The groups the regex makes of the store's runs, in the store's order
 * (the order new groups are given colours in), then the runs it misses. */
static void
fill_preview (LmColorGroupDialog *self, LmRunColorGroup *group)
{
  GListModel *runs = G_LIST_MODEL (self->store);
  g_autoptr (GArray) groups = g_array_new (FALSE, TRUE, sizeof (Group));
  g_autoptr (GHashTable) index = g_hash_table_new (NULL, NULL);   /* colour -> group + 1 */
  g_autoptr (GString) missed_names = g_string_new (NULL);
  Runs missed = { missed_names, 0 };
  guint more = 0;
  GdkRGBA color;

  g_array_set_clear_func (groups, group_clear);
  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (runs, i);
      char *label = NULL;
      int k = lm_run_color_group_assign (group, self->store, run, &label);
      guint at;

      if (k < 0)
        {
          runs_add (&missed, run);
          continue;
        }
      at = GPOINTER_TO_UINT (g_hash_table_lookup (index, GINT_TO_POINTER (k)));
      if (at == 0)
        {
          Group g = { k, label, { g_string_new (NULL), 0 } };

          g_array_append_val (groups, g);
          at = groups->len;
          g_hash_table_insert (index, GINT_TO_POINTER (k), GUINT_TO_POINTER (at));
        }
      else
        g_free (label);
      runs_add (&g_array_index (groups, Group, at - 1).runs, run);
    }
  for (guint k = 0; k < groups->len; k++)
    {
      Group *g = &g_array_index (groups, Group, k);
      g_autofree char *title = NULL;

      if (k >= MAX_GROUPS)
        {
          more += g->runs.n;
          continue;
        }
      title = g_strdup_printf ("Color group: %s", g->label);
      lm_palette_color ((guint) g->color, &color);
      add_heading (self, &color, title);
      add_runs (self, &g->runs);
    }
  if (groups->len > MAX_GROUPS)
    {
      g_autofree char *text = g_strdup_printf ("… and %u more groups (%u runs)", groups->len - MAX_GROUPS, more);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (self->preview), label);
    }
  if (missed.n > 0)
    {
      lm_palette_ungrouped_color (&color);
      add_heading (self, &color, "Non-matching runs");
      add_runs (self, &missed);
    }
}

static void
update (LmColorGroupDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *spec = g_strconcat ("regex:", text, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (LmRunColorGroup) fresh = NULL;
  LmRunColorGroup *group = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->preview)) != NULL)
    gtk_box_remove (GTK_BOX (self->preview), child);
  /* the regex runs are coloured by now: the colours they have (groups
   * that appeared later took the next colours, not their place's), its
   * copy giving a group that appears meanwhile the colour the run list
   * gives it */
  if (self->current != NULL && g_str_equal (spec, lm_run_color_group_to_string (self->current)))
    group = self->current;
  else if (text[0] != '\0')
    group = fresh = lm_run_color_group_new (spec, &error);
  if (error != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("Invalid regular expression: %s", error->message);

      gtk_label_set_text (GTK_LABEL (self->error), msg);
      gtk_widget_add_css_class (self->entry, "error");
    }
  else
    gtk_widget_remove_css_class (self->entry, "error");
  gtk_widget_set_visible (self->error, error != NULL);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (self), GTK_RESPONSE_OK, group != NULL);
  if (group != NULL)
    fill_preview (self, group);
}

static void
on_store_items (GListModel *store, guint pos, guint removed, guint added, LmColorGroupDialog *self)
{
  /* the runs appearing take their colours in the copy as in the run list,
   * whichever regex the entry holds now */
  for (guint i = pos; self->current != NULL && i < pos + added; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (store, i);

      lm_run_color_group_assign (self->current, self->store, run, NULL);
    }
  update (self);
}

static void
lm_color_group_dialog_dispose (GObject *object)
{
  LmColorGroupDialog *self = LM_COLOR_GROUP_DIALOG (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->current, lm_run_color_group_free);
  G_OBJECT_CLASS (lm_color_group_dialog_parent_class)->dispose (object);
}

static void
lm_color_group_dialog_class_init (LmColorGroupDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_color_group_dialog_dispose;
}

static void
lm_color_group_dialog_init (LmColorGroupDialog *self)
{
}

GtkWidget *
lm_color_group_dialog_new (GtkWindow *parent, LmRunStore *store, LmRunColorGroup *current)
{
  LmColorGroupDialog *self;
  GtkWidget *content, *intro, *scrolled;
  const char *regex = current != NULL ? lm_run_color_group_get_regex (current) : NULL;

  g_return_val_if_fail (LM_IS_RUN_STORE (store), NULL);
  self = g_object_new (LM_TYPE_COLOR_GROUP_DIALOG, "title", "Color Runs by Regex", "modal", TRUE,
                       "transient-for", parent, "destroy-with-parent", TRUE, NULL);
  self->store = g_object_ref (store);
  self->current = current != NULL ? lm_run_color_group_copy (current) : NULL;
  gtk_window_set_default_size (GTK_WINDOW (self), 460, 520);
  gtk_dialog_add_button (GTK_DIALOG (self), "_Cancel", GTK_RESPONSE_CANCEL);
  gtk_dialog_add_button (GTK_DIALOG (self), "_OK", GTK_RESPONSE_OK);
  gtk_dialog_set_default_response (GTK_DIALOG (self), GTK_RESPONSE_OK);

  content = gtk_dialog_get_content_area (GTK_DIALOG (self));
  gtk_box_set_spacing (GTK_BOX (content), 6);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  intro = gtk_label_new ("Runs whose name the regular expression matches are grouped by what its capture "
                         "groups match, each group in a colour of its own; with no capture group, all "
                         "matching runs are one group. The other runs are grey.");
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (intro), 50);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (content), intro);

  self->entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), "e.g. lr([0-9.]+)_");
  gtk_entry_set_activates_default (GTK_ENTRY (self->entry), TRUE);
  gtk_box_append (GTK_BOX (content), self->entry);

  self->error = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error), 0);
  gtk_widget_add_css_class (self->error, "lm-warning");
  gtk_box_append (GTK_BOX (content), self->error);

  self->preview = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->preview);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);

  gtk_editable_set_text (GTK_EDITABLE (self->entry), regex != NULL ? regex : "");
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (update), self);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_store_items), self);
  update (self);
  return GTK_WIDGET (self);
}

const char *
lm_color_group_dialog_get_regex (LmColorGroupDialog *self)
{
  g_return_val_if_fail (LM_IS_COLOR_GROUP_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

GtkWidget *
lm_color_group_dialog_get_entry (LmColorGroupDialog *self)
{
  g_return_val_if_fail (LM_IS_COLOR_GROUP_DIALOG (self), NULL);
  return self->entry;
}
