/* lm-records-grid.c: the layout and per-cell labels of an image grid,
 * parsed from the `grid` JSON of an images row (LmImageGrid, see
 * lm-records.h and docs/run-format.md, "images"), and an image's boxes
 * from its `boxes` JSON (LmImageBoxes: an array of [xmin, ymin, xmax,
 * ymax] or [xmin, ymin, xmax, ymax, "label"], finite numbers).
 *
 * What it is for: a small strict parser for that one fixed shape, an
 * object with integer n, nrow, rows, cell_width, cell_height and padding
 * and an optional `labels` array of n strings.  Keys may come in any order
 * and unknown keys are skipped (whatever their value), so a newer writer
 * can add some; everything else -- truncated text, wrong types, escapes
 * that do not decode, a layout that does not fit the image -- is refused
 * with a message saying what and where, and the image is then shown
 * without labels.  The input is a NUL-terminated string and every read
 * stops at the NUL, so no input can make it read out of bounds; nesting in
 * skipped values is capped so none can exhaust the stack.
 *
 * The lexer (strings, numbers, skipping values) is lm-json.c's, shared
 * with a mesh's config.
 * What it is not for: JSON in general, drawing (ui/).
 */
#include "lm-records.h"
#include "lm-json-private.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Limits well beyond anything a grid image can hold, so arithmetic on
 * the values stays far from overflow. */
#define MAX_DIM      (1 << 20)

static gboolean
parse_int (LmJsonParser *ps, const char *key, int *out)
{
  const char *at;
  double v;

  lm_json_skip_ws (ps);
  at = ps->p;
  if (!lm_json_parse_number (ps, &v))
    {
      if (ps->p == at)
        {
          g_clear_pointer (&ps->error, g_free);
          return lm_json_fail (ps, "\"%s\" is not a number", key);
        }
      return FALSE;
    }
  if (!(fabs (v) <= MAX_DIM) || v != floor (v))
    {
      int len = (int) MIN (ps->p - at, 24);

      ps->p = at;
      return lm_json_fail (ps, "\"%s\" is %.*s, not a whole number up to %d", key, len, at, MAX_DIM);
    }
  *out = (int) v;
  return TRUE;
}

static gboolean
parse_label (LmJsonParser *ps, guint i, gpointer data)
{
  GPtrArray *labels = data;
  g_autoptr (GString) s = g_string_new (NULL);

  if (*ps->p != '"')
    return lm_json_fail (ps, "labels[%u] is not a string", i);
  if (!lm_json_parse_string (ps, s))
    return FALSE;
  g_ptr_array_add (labels, g_strndup (s->str, s->len));
  return TRUE;
}

static gboolean
parse_labels (LmJsonParser *ps, GPtrArray *labels)
{
  return lm_json_parse_array (ps, "\"labels\"", parse_label, labels);
}

static void
grid_clear (gpointer data)
{
  LmImageGrid *g = data;

  g_strfreev (g->labels);
}

enum { K_N, K_NROW, K_ROWS, K_CELL_WIDTH, K_CELL_HEIGHT, K_PADDING, N_INT_KEYS };
static const char *const int_keys[N_INT_KEYS] = {
  "n", "nrow", "rows", "cell_width", "cell_height", "padding",
};

typedef struct
{
  int *values;
  gboolean *seen;
  GPtrArray **labels;
} GridMembers;

/* One member of the object into values[] or labels; syntax only. */
static gboolean
parse_member (LmJsonParser *ps, const char *key, gpointer data)
{
  GridMembers *m = data;
  int i;

  for (i = 0; i < N_INT_KEYS && strcmp (key, int_keys[i]) != 0; i++)
    ;
  if (i < N_INT_KEYS || strcmp (key, "labels") == 0)
    {
      if (i < N_INT_KEYS ? m->seen[i] : *m->labels != NULL)
        return lm_json_fail (ps, "\"%s\" given twice", key);
    }
  if (i < N_INT_KEYS)
    {
      if (!parse_int (ps, int_keys[i], &m->values[i]))
        return FALSE;
      m->seen[i] = TRUE;
    }
  else if (strcmp (key, "labels") == 0)
    {
      *m->labels = g_ptr_array_new_with_free_func (g_free);
      lm_json_skip_ws (ps);
      if (strncmp (ps->p, "null", 4) == 0)
        ps->p += 4;   /* same as no labels */
      else if (!parse_labels (ps, *m->labels))
        return FALSE;
    }
  else if (!lm_json_skip_value (ps, 1))
    return FALSE;
  return TRUE;
}

/* The object's members into values[] and labels; syntax only. */
static gboolean
parse_object (LmJsonParser *ps, int *values, gboolean *seen, GPtrArray **labels)
{
  GridMembers m = { values, seen, labels };

  if (!lm_json_parse_object (ps, "expected an object ('{')", parse_member, &m))
    return FALSE;
  lm_json_skip_ws (ps);
  if (*ps->p != '\0')
    return lm_json_fail (ps, "text after the object");
  return TRUE;
}

/* The values make a layout that fits a width x height image. */
static char *
check_layout (const int *v, guint n_labels, gboolean have_labels, int width, int height)
{
  static const int min_value[N_INT_KEYS] = { 1, 1, 1, 1, 1, 0 };
  gint64 need_rows, cols, need_w, need_h;

  for (int i = 0; i < N_INT_KEYS; i++)
    if (v[i] < min_value[i])
      return g_strdup_printf ("grid JSON: \"%s\" is %d, must be at least %d", int_keys[i], v[i],
                              min_value[i]);
  need_rows = ((gint64) v[K_N] + v[K_NROW] - 1) / v[K_NROW];
  if (v[K_ROWS] != need_rows)
    return g_strdup_printf ("grid JSON: \"rows\" is %d, but %d images at %d a row fill %" G_GINT64_FORMAT,
                            v[K_ROWS], v[K_N], v[K_NROW], need_rows);
  if (have_labels && n_labels != (guint) v[K_N])
    return g_strdup_printf ("grid JSON: \"labels\" has %u entries for %d images", n_labels, v[K_N]);
  /* no size, no layout: a row's size is what bounds every cell origin */
  if (width <= 0 || height <= 0)
    return g_strdup_printf ("grid JSON: the image is %d×%d, no grid fits it", width, height);
  /* make_grid's image: one more padding right of and below the cells. */
  cols = MIN (v[K_NROW], v[K_N]);
  need_w = v[K_PADDING] + cols * ((gint64) v[K_CELL_WIDTH] + v[K_PADDING]);
  need_h = v[K_PADDING] + need_rows * ((gint64) v[K_CELL_HEIGHT] + v[K_PADDING]);
  if (need_w > width || need_h > height)
    return g_strdup_printf ("grid JSON: %d×%d cells of %d×%d with padding %d need a %" G_GINT64_FORMAT
                            "×%" G_GINT64_FORMAT " image, this one is %d×%d",
                            (int) cols, v[K_ROWS], v[K_CELL_WIDTH], v[K_CELL_HEIGHT], v[K_PADDING],
                            need_w, need_h, width, height);
  return NULL;
}

LmImageGrid *
lm_image_grid_parse (const char *json, int width, int height, char **error)
{
  LmJsonParser ps = { json, json, NULL, "grid JSON" };
  int values[N_INT_KEYS] = { 0 };
  gboolean seen[N_INT_KEYS] = { FALSE };
  g_autoptr (GPtrArray) labels = NULL;
  char *problem = NULL;
  LmImageGrid *g;

  if (json == NULL)
    problem = g_strdup ("grid JSON: none");
  else if (!g_utf8_validate (json, -1, NULL))
    problem = g_strdup ("grid JSON: not valid UTF-8");
  else if (!parse_object (&ps, values, seen, &labels))
    problem = g_steal_pointer (&ps.error);
  for (int i = 0; problem == NULL && i < N_INT_KEYS; i++)
    if (!seen[i])
      problem = g_strdup_printf ("grid JSON: no \"%s\"", int_keys[i]);
  if (problem == NULL)
    problem = check_layout (values, labels ? labels->len : 0,
                            labels != NULL && labels->len > 0, width, height);
  g_free (ps.error);
  if (problem != NULL)
    {
      if (error != NULL)
        *error = problem;
      else
        g_free (problem);
      return NULL;
    }
  g = g_atomic_rc_box_new0 (LmImageGrid);
  g->n = values[K_N];
  g->nrow = values[K_NROW];
  g->rows = values[K_ROWS];
  g->cell_width = values[K_CELL_WIDTH];
  g->cell_height = values[K_CELL_HEIGHT];
  g->padding = values[K_PADDING];
  if (labels != NULL && labels->len > 0)
    {
      g_ptr_array_add (labels, NULL);
      g->labels = (char **) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
    }
  return g;
}

LmImageGrid *
lm_image_grid_ref (LmImageGrid *grid)
{
  return grid != NULL ? g_atomic_rc_box_acquire (grid) : NULL;
}

void
lm_image_grid_unref (LmImageGrid *grid)
{
  if (grid != NULL)
    g_atomic_rc_box_release_full (grid, grid_clear);
}

const char *
lm_image_grid_get_label (const LmImageGrid *grid, int k)
{
  if (grid == NULL || grid->labels == NULL || k < 0 || k >= grid->n)
    return NULL;
  return grid->labels[k];
}

gboolean
lm_image_grid_cell_origin (const LmImageGrid *grid, int k, int *x, int *y)
{
  g_return_val_if_fail (grid != NULL, FALSE);

  if (k < 0 || k >= grid->n || grid->nrow < 1)
    return FALSE;
  /* a parsed grid fits its image; one made by hand may not fit an int */
  gint64 gx = grid->padding + (gint64) (k % grid->nrow) * ((gint64) grid->cell_width + grid->padding);
  gint64 gy = grid->padding + (gint64) (k / grid->nrow) * ((gint64) grid->cell_height + grid->padding);
  if (gx < 0 || gx > G_MAXINT || gy < 0 || gy > G_MAXINT)
    return FALSE;
  *x = (int) gx;
  *y = (int) gy;
  return TRUE;
}

int
lm_image_grid_cell_at (const LmImageGrid *grid, double x, double y)
{
  double fx, fy, col, row;
  int k;

  g_return_val_if_fail (grid != NULL, -1);

  fx = (x - grid->padding) / (grid->cell_width + grid->padding);
  fy = (y - grid->padding) / (grid->cell_height + grid->padding);
  if (!(fx >= 0 && fy >= 0 && fx < grid->nrow && fy < grid->rows))
    return -1;   /* also NaN */
  col = floor (fx);
  row = floor (fy);
  /* Inside the cell, not the padding that follows it. */
  if (x - grid->padding - col * (grid->cell_width + grid->padding) >= grid->cell_width
      || y - grid->padding - row * (grid->cell_height + grid->padding) >= grid->cell_height)
    return -1;
  k = (int) row * grid->nrow + (int) col;
  return k < grid->n ? k : -1;
}

gboolean
lm_image_grid_split_prediction (const char *label, char **predicted, char **truth)
{
  const char *mid;

  if (label == NULL || !g_str_has_prefix (label, "pred "))
    return FALSE;
  mid = strstr (label + 5, " / true ");
  if (mid == NULL || mid == label + 5 || mid[8] == '\0')
    return FALSE;
  *predicted = g_strndup (label + 5, (gsize) (mid - label - 5));
  *truth = g_strdup (mid + 8);
  return TRUE;
}

/* ------------------------------------------------------------------ boxes */

/* One [x0, y0, x1, y1(, "label" | null)] into `box`. */
static gboolean
parse_box (LmJsonParser *ps, LmImageBox *box)
{
  static const char *const coord[] = { "xmin", "ymin", "xmax", "ymax" };
  float *v[] = { &box->x0, &box->y0, &box->x1, &box->y1 };

  if (!lm_json_expect (ps, '['))
    return FALSE;
  for (int c = 0; c < 4; c++)
    {
      const char *at;
      double d;

      if (c > 0 && !lm_json_expect (ps, ','))
        return FALSE;
      lm_json_skip_ws (ps);
      at = ps->p;
      if (!lm_json_parse_number (ps, &d))
        return FALSE;
      if (!(fabs (d) <= G_MAXFLOAT))
        {
          ps->p = at;
          return lm_json_fail (ps, "%s is not a finite number", coord[c]);
        }
      *v[c] = (float) d;
    }
  lm_json_skip_ws (ps);
  if (*ps->p == ',')
    {
      ps->p++;
      lm_json_skip_ws (ps);
      if (strncmp (ps->p, "null", 4) == 0)
        ps->p += 4;
      else
        {
          g_autoptr (GString) label = g_string_new (NULL);

          if (!lm_json_parse_string (ps, label))
            return FALSE;
          box->label = g_string_free (g_steal_pointer (&label), FALSE);
        }
    }
  return lm_json_expect (ps, ']');
}

static void
boxes_clear (gpointer data)
{
  LmImageBoxes *b = data;

  for (int i = 0; i < b->n; i++)
    g_free (b->boxes[i].label);
  g_free (b->boxes);
}

LmImageBoxes *
lm_image_boxes_parse (const char *json, char **error)
{
  LmJsonParser ps = { json, json, NULL, "boxes JSON" };
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (LmImageBox));
  gboolean ok;
  LmImageBoxes *b;

  if (json == NULL || !g_utf8_validate (json, -1, NULL))
    ps.error = g_strdup (json == NULL ? "boxes JSON: none" : "boxes JSON: not valid UTF-8");
  else if ((ok = lm_json_expect (&ps, '[')))
    {
      lm_json_skip_ws (&ps);
      if (*ps.p == ']')
        ps.p++;
      else
        for (;;)
          {
            LmImageBox box = { 0 };

            if (!parse_box (&ps, &box))
              {
                g_free (box.label);
                break;
              }
            g_array_append_val (boxes, box);
            lm_json_skip_ws (&ps);
            if (*ps.p == ']')
              {
                ps.p++;
                break;
              }
            if (*ps.p != ',')
              {
                lm_json_fail (&ps, "expected ',' or ']' between boxes");
                break;
              }
            ps.p++;
          }
      lm_json_skip_ws (&ps);
      if (ps.error == NULL && *ps.p != '\0')
        lm_json_fail (&ps, "text after the boxes");
    }
  if (ps.error != NULL)
    {
      for (guint i = 0; i < boxes->len; i++)
        g_free (g_array_index (boxes, LmImageBox, i).label);
      if (error != NULL)
        *error = g_steal_pointer (&ps.error);
      g_free (ps.error);
      return NULL;
    }
  b = g_atomic_rc_box_new0 (LmImageBoxes);
  b->n = (int) boxes->len;
  b->boxes = (LmImageBox *) g_array_free (g_steal_pointer (&boxes), FALSE);
  return b;
}

LmImageBoxes *
lm_image_boxes_ref (LmImageBoxes *boxes)
{
  return boxes != NULL ? g_atomic_rc_box_acquire (boxes) : NULL;
}

void
lm_image_boxes_unref (LmImageBoxes *boxes)
{
  if (boxes != NULL)
    g_atomic_rc_box_release_full (boxes, boxes_clear);
}

/* PIL's 2-px line from (xa, ya) to (xb, yb), whole pixels, axis-aligned:
 * the pixels right of (or below) a line drawn down (or right), left of (or
 * above) one drawn up (or left), one pixel for a line of no length. */
static void
wide_segment (double xa, double ya, double xb, double yb, double r[4])
{
  if (xa == xb && ya == yb)
    {
      r[0] = xa;
      r[1] = ya;
      r[2] = xa + 1;
      r[3] = ya + 1;
    }
  else if (xa == xb)
    {
      r[0] = yb > ya ? xa : xa - 1;
      r[1] = MIN (ya, yb);
      r[2] = r[0] + LM_IMAGE_BOX_LINE;
      r[3] = MAX (ya, yb) + 1;
    }
  else
    {
      r[0] = MIN (xa, xb);
      r[1] = xb > xa ? ya : ya - 1;
      r[2] = MAX (xa, xb) + 1;
      r[3] = r[1] + LM_IMAGE_BOX_LINE;
    }
}

void
lm_image_box_outline (const LmImageBox *box, double r[4][4])
{
  /* PIL truncates towards zero: -0.5 is pixel 0 */
  double left = trunc (box->x0), top = trunc (box->y0), right = trunc (box->x1), bottom = trunc (box->y1);

  /* _draw_single_box's path: (left, top) (left, bottom) (right, bottom)
   * (right, top) (left, top) */
  wide_segment (left, top, left, bottom, r[0]);
  wide_segment (left, bottom, right, bottom, r[1]);
  wide_segment (right, bottom, right, top, r[2]);
  wide_segment (right, top, left, top, r[3]);
}
