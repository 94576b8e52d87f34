/* lm-custom-scalars.c: custom-scalar layouts and their logging calls.
 *
 * What it is for: the lm_custom_layout builder and
 * lm_writer_add_custom_scalars with its two one-chart shortcuts, the
 * counterparts of SummaryWriter.add_custom_scalars,
 * add_custom_scalars_multilinechart and add_custom_scalars_marginchart.
 * Everything is checked while the layout is built (titles, UTF-8, each
 * multiline regex compiled with regcomp, the dialect the viewer matches
 * with), so a layout that reaches the queue always stores whole.
 * Not for: matching tags or merging layouts (data/ does, for the viewer).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

struct lm_custom_layout {
  lm_custom_chart *charts; /* each string malloc'd on its own */
  size_t n, cap;
};

int lm_custom_layout_new(lm_custom_layout **out) {
  if (!out)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "out (lm_custom_layout **) is NULL");
  *out = calloc(1, sizeof **out);
  return *out ? LM_OK : lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
}

static void chart_clear(lm_custom_chart *c) {
  free(c->category);
  free(c->title);
  for (size_t i = 0; c->tags && i < c->n_tags; i++)
    free(c->tags[i]);
  free(c->tags);
}

void lm_custom_layout_free(lm_custom_layout *layout) {
  if (!layout)
    return;
  for (size_t i = 0; i < layout->n; i++)
    chart_clear(&layout->charts[i]);
  free(layout->charts);
  free(layout);
}

size_t lm_custom_layout_chart_count(const lm_custom_layout *layout) {
  return layout ? layout->n : 0;
}

/* Python's re (what TensorBoard matches with) and POSIX read these
 * differently; glibc would take `\d` for a plain `d` without a word. */
static const char *python_only(const char *re) {
  for (const char *s = re; *s; s++) {
    if (s[0] == '\\' && s[1] && strchr("dD", s[1]))
      return s[1] == 'd' ? "'\\d' (write [0-9])" : "'\\D' (write [^0-9])";
    if (s[0] == '\\' && s[1])
      s++;
    else if (s[0] == '(' && s[1] == '?')
      return "'(?' groups (write a plain (...) group)";
  }
  return NULL;
}

static int check_regex(const char *what, const char *re) {
  int rc = lm_check_name(NULL, what, re);
  if (rc)
    return rc;
  const char *bad = python_only(re);
  if (bad)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "%s '%s': %s is Python regex syntax; tags are matched "
                   "with POSIX extended regexes",
                   what, re, bad);
  regex_t compiled;
  int err = regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB);
  if (err) {
    char msg[160];
    regerror(err, &compiled, msg, sizeof msg);
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "%s '%s' is not a valid regular expression (POSIX "
                   "extended): %s",
                   what, re, msg);
  }
  regfree(&compiled);
  return LM_OK;
}

/* Checks a new chart's names and tags; `tags` are regexes for multiline
 * charts, exact tag names for margin charts. */
static int check_chart(const lm_custom_layout *l, lm_custom_kind kind,
                       const char *category, const char *title,
                       const char *const *tags, size_t n) {
  static const char *const margin_names[3] = {"value", "lower", "upper"};
  if (!l)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "layout is NULL");
  int rc;
  if ((rc = lm_check_name(NULL, "custom scalars: category", category)) ||
      (rc = lm_check_name(NULL, "custom scalars: chart title", title)))
    return rc;
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->charts[i].category, category) &&
        !strcmp(l->charts[i].title, title))
      return lm_fail(NULL, LM_ERR_INVALID_ARG,
                     "custom scalars: category '%s' already has a chart "
                     "'%s' (titles are unique within a category)",
                     category, title);
  if (kind == LM_CUSTOM_MULTILINE && (n == 0 || !tags))
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "custom scalars: multiline chart '%s' has no tags (give "
                   "at least one tag regex)",
                   title);
  for (size_t i = 0; i < n; i++) {
    char what[160];
    if (kind == LM_CUSTOM_MULTILINE) {
      snprintf(what, sizeof what, "custom scalars: chart '%.60s' tags[%zu]",
               title, i);
      rc = check_regex(what, tags[i]);
    } else {
      snprintf(what, sizeof what, "custom scalars: margin chart '%.60s' %s tag",
               title, margin_names[i]);
      rc = lm_check_name(NULL, what, tags[i]);
    }
    if (rc)
      return rc;
  }
  return LM_OK;
}

static int add_chart(lm_custom_layout *l, lm_custom_kind kind,
                     const char *category, const char *title,
                     const char *const *tags, size_t n) {
  int rc = check_chart(l, kind, category, title, tags, n);
  if (rc)
    return rc;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 8;
    lm_custom_chart *c = realloc(l->charts, cap * sizeof *c);
    if (!c)
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    l->charts = c;
    l->cap = cap;
  }
  lm_custom_chart c = {.kind = kind, .n_tags = n};
  bool ok = (c.category = strdup(category)) && (c.title = strdup(title)) &&
            (c.tags = calloc(n, sizeof *c.tags));
  for (size_t i = 0; ok && i < n; i++)
    ok = (c.tags[i] = strdup(tags[i])) != NULL;
  if (!ok) {
    chart_clear(&c);
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }
  l->charts[l->n++] = c;
  return LM_OK;
}

int lm_custom_layout_add_multiline(lm_custom_layout *layout,
                                   const char *category, const char *title,
                                   const char *const *tags, size_t n) {
  return add_chart(layout, LM_CUSTOM_MULTILINE, category, title, tags, n);
}

int lm_custom_layout_add_margin(lm_custom_layout *layout,
                                const char *category, const char *title,
                                const char *value, const char *lower,
                                const char *upper) {
  const char *const tags[3] = {value, lower, upper};
  return add_chart(layout, LM_CUSTOM_MARGIN, category, title, tags, 3);
}

/* A copy of the layout in one allocation, for the queue. */
static lm_custom_payload *payload_new(const lm_custom_layout *l) {
  size_t bytes = sizeof(lm_custom_payload) + l->n * sizeof(lm_custom_chart);
  for (size_t i = 0; i < l->n; i++) {
    const lm_custom_chart *c = &l->charts[i];
    bytes += strlen(c->category) + strlen(c->title) + 2 +
             c->n_tags * sizeof(char *);
    for (size_t k = 0; k < c->n_tags; k++)
      bytes += strlen(c->tags[k]) + 1;
  }
  lm_custom_payload *p = malloc(bytes);
  if (!p)
    return NULL;
  p->hdr.bytes = bytes;
  p->n = l->n;
  p->charts = (lm_custom_chart *)(p + 1);
  char **ptrs = (char **)(p->charts + l->n);
  size_t n_ptrs = 0;
  for (size_t i = 0; i < l->n; i++)
    n_ptrs += l->charts[i].n_tags;
  char *s = (char *)(ptrs + n_ptrs);
  for (size_t i = 0; i < l->n; i++) {
    const lm_custom_chart *c = &l->charts[i];
    lm_custom_chart *d = &p->charts[i];
    size_t len;
    d->kind = c->kind;
    d->n_tags = c->n_tags;
    len = strlen(c->category) + 1;
    d->category = memcpy(s, c->category, len);
    s += len;
    len = strlen(c->title) + 1;
    d->title = memcpy(s, c->title, len);
    s += len;
    d->tags = ptrs;
    ptrs += c->n_tags;
    for (size_t k = 0; k < c->n_tags; k++) {
      len = strlen(c->tags[k]) + 1;
      d->tags[k] = memcpy(s, c->tags[k], len);
      s += len;
    }
  }
  return p;
}

int lm_writer_add_custom_scalars(lm_writer *w,
                                 const lm_custom_layout *layout) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!layout || layout->n == 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "custom scalars: the layout is %s (add a chart with "
                   "lm_custom_layout_add_multiline or _add_margin)",
                   layout ? "empty" : "NULL");
  lm_custom_payload *p = payload_new(layout);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for a custom layout");
  return lm_queue_payload(w, LM_REC_CUSTOM_SCALARS, NULL, 0, 0, lm_writer_now(w), p);
}

/* The shortcuts build a one-chart layout; a bad chart's message is
 * copied to the writer too. */
static int add_one(lm_writer *w, lm_custom_kind kind, const char *category,
                   const char *title, const char *const *tags, size_t n) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  lm_custom_layout *l;
  int rc = lm_custom_layout_new(&l);
  if (!rc)
    rc = add_chart(l, kind, category ? category : "default",
                   title ? title : "untitled", tags, n);
  if (!rc)
    rc = lm_writer_add_custom_scalars(w, l);
  else {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", lm_log_last_error());
    lm_fail(w, rc, "%s", msg);
  }
  lm_custom_layout_free(l);
  return rc;
}

int lm_writer_add_custom_scalars_multilinechart(lm_writer *w,
                                                const char *const *tags,
                                                size_t n,
                                                const char *category,
                                                const char *title) {
  return add_one(w, LM_CUSTOM_MULTILINE, category, title, tags, n);
}

int lm_writer_add_custom_scalars_marginchart(lm_writer *w, const char *value,
                                             const char *lower,
                                             const char *upper,
                                             const char *category,
                                             const char *title) {
  const char *const tags[3] = {value, lower, upper};
  return add_one(w, LM_CUSTOM_MARGIN, category, title, tags, 3);
}
