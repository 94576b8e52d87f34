/* lm-wrap-layout.c: children left to right, wrapping onto more lines
 * (see lm-wrap-layout.h). */
#include "lm-wrap-layout.h"

struct _LmWrapLayout
{
  GtkLayoutManager parent_instance;
  int spacing, line_spacing;
};

G_DEFINE_FINAL_TYPE (LmWrapLayout, lm_wrap_layout, GTK_TYPE_LAYOUT_MANAGER)

/* A child's width on a line `width` wide (-1: unbounded): its natural
 * width, less where the line is narrower, never under its least. */
static int
child_width (GtkWidget *child, int width)
{
  int min, nat;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return width < 0 ? nat : MAX (min, MIN (nat, width));
}

/* A child on the line being filled, with its size there. */
typedef struct
{
  GtkWidget *child;
  int w, h;
} Placed;

/* Lays the children out on lines `width` wide (-1: one line); allocates
 * them when `place`.  Returns the height the lines take. */
static int
flow (LmWrapLayout *self, GtkWidget *widget, int width, gboolean place)
{
  g_autoptr (GArray) line = g_array_new (FALSE, FALSE, sizeof (Placed));
  int x = 0, y = 0, line_h = 0;
  GtkWidget *child = gtk_widget_get_first_child (widget);

  for (;;)
    {
      Placed p = { NULL, 0, 0 };

      while (child != NULL && !gtk_widget_should_layout (child))
        child = gtk_widget_get_next_sibling (child);
      p.child = child;
      if (child != NULL)
        {
          p.w = child_width (child, width);
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, p.w, NULL, &p.h, NULL, NULL);
        }
      /* the line ends: at the last child, or where this one does not fit */
      if (line->len > 0 && (child == NULL || (width >= 0 && x + p.w > width)))
        {
          int cx = 0;

          for (guint i = 0; place && i < line->len; i++)
            {
              const Placed *c = &g_array_index (line, Placed, i);

              gtk_widget_size_allocate (c->child, &(GtkAllocation) { cx, y + (line_h - c->h) / 2, c->w, c->h }, -1);
              cx += c->w + self->spacing;
            }
          g_array_set_size (line, 0);
          y += line_h + self->line_spacing;
          x = line_h = 0;
        }
      if (child == NULL)
        break;
      g_array_append_val (line, p);
      x += p.w + self->spacing;
      line_h = MAX (line_h, p.h);
      child = gtk_widget_get_next_sibling (child);
    }
  return MAX (y - self->line_spacing, 0);
}

static GtkSizeRequestMode
lm_wrap_layout_get_request_mode (GtkLayoutManager *manager, GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lm_wrap_layout_measure (GtkLayoutManager *manager, GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  LmWrapLayout *self = LM_WRAP_LAYOUT (manager);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int min = 0, nat = 0, n = 0;

      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (gtk_widget_should_layout (c))
          {
            int cmin, cnat;

            gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &cmin, &cnat, NULL, NULL);
            min = MAX (min, cmin);
            nat += cnat + (n++ > 0 ? self->spacing : 0);
          }
      *minimum = min;
      *natural = nat;
    }
  else
    *minimum = *natural = flow (self, widget, for_size, FALSE);
}

static void
lm_wrap_layout_allocate (GtkLayoutManager *manager, GtkWidget *widget, int width, int height, int baseline)
{
  flow (LM_WRAP_LAYOUT (manager), widget, width, TRUE);
}

static void
lm_wrap_layout_class_init (LmWrapLayoutClass *klass)
{
  GtkLayoutManagerClass *lm_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  lm_class->get_request_mode = lm_wrap_layout_get_request_mode;
  lm_class->measure = lm_wrap_layout_measure;
  lm_class->allocate = lm_wrap_layout_allocate;
}

static void
lm_wrap_layout_init (LmWrapLayout *self)
{
}

GtkLayoutManager *
lm_wrap_layout_new (int spacing, int line_spacing)
{
  LmWrapLayout *self = g_object_new (LM_TYPE_WRAP_LAYOUT, NULL);

  self->spacing = spacing;
  self->line_spacing = line_spacing;
  return GTK_LAYOUT_MANAGER (self);
}
