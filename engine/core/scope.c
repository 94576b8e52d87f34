/* scope.c: per-thread scopes that own the tensors made inside them.
 *
 * A scope is a mark in one per-thread array of owned references: every tensor
 * an op returns while a scope is open is appended, and lm_scope_end() releases
 * everything after the mark (newest first, so a loss and its graph go before
 * the activations they hold). lm_scope_keep() takes one reference back out.
 * Costs: an append per op and a backwards search per keep (kept tensors are
 * almost always among the newest). Not for: anything cross-thread.
 */
#include <stdlib.h>

#include "lm-core.h"

static _Thread_local lm_tensor **items;
static _Thread_local size_t n_items, cap_items;
static _Thread_local size_t *marks;
static _Thread_local int n_marks, cap_marks;

void lm_scope_begin(void)
{
  if (n_marks == cap_marks) {
    int cap = cap_marks ? cap_marks * 2 : 16;
    size_t *p = realloc(marks, (size_t)cap * sizeof *p);
    if (!p) {
      lm_error("scope_begin: out of memory");
      return;
    }
    marks = p;
    cap_marks = cap;
  }
  marks[n_marks++] = n_items;
}

void lm_scope_end(void)
{
  if (n_marks == 0) {
    lm_error("scope_end: no scope is open (lm_scope_begin/lm_scope_end calls do not pair up)");
    return;
  }
  size_t mark = marks[n_marks - 1];
  /* Release newest first. A release can run user-invisible code only (freeing),
   * never an op, so the array does not grow under us. */
  while (n_items > mark) {
    lm_tensor *t = items[--n_items];
    if (t)
      lm_tensor_release(t);
  }
  n_marks--;
  if (n_marks == 0) {
    free(items);
    items = NULL;
    cap_items = 0;
    free(marks);
    marks = NULL;
    cap_marks = 0;
  }
}

bool lm_scope_active(void)
{
  return n_marks > 0;
}

lm_tensor *lm_scope_adopt(lm_tensor *t)
{
  if (!t || n_marks == 0)
    return t;
  if (n_items == cap_items) {
    size_t cap = cap_items ? cap_items * 2 : 256;
    lm_tensor **p = realloc(items, cap * sizeof *p);
    if (!p) {
      lm_error("scope: out of memory");
      return t; /* the caller keeps the reference; it leaks rather than crashes */
    }
    items = p;
    cap_items = cap;
  }
  items[n_items++] = t;
  return t;
}

lm_tensor *lm_scope_keep(lm_tensor *t)
{
  if (!t)
    return NULL;
  if (n_marks == 0)
    return t;
  size_t mark = marks[n_marks - 1];
  for (size_t i = n_items; i-- > mark;) {
    if (items[i] == t) {
      items[i] = NULL;
      if (i == n_items - 1)
        n_items--;
      return t;
    }
  }
  /* Not owned by the innermost scope: the caller already owns this reference
   * (outer scopes are left alone: their owners still expect to free theirs). */
  return t;
}
