/* lm-queue.c: the producer side of the writer queue, and the scalar calls.
 *
 * What it is for: the hot path.  A scalar call checks its tag, takes the
 * writer mutex, finds the tag id in a hash table (a new tag also queues a
 * `tags` row), copies one 32-byte record into the ring and returns: no
 * allocation, no syscall unless the queue is full.  Bigger kinds reach
 * lm_queue_payload() with a heap payload built outside the lock.
 * Not for: anything SQLite (that is the writer thread, lm-store.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lm-log-private.h"

/* 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in unix seconds. */
#define LM_WALL_MIN (-62135596800.0)
#define LM_WALL_MAX 253402300800.0

double lm_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double lm_writer_now(lm_writer *w) {
  uint64_t bits = __atomic_load_n(&w->wall_time_bits, __ATOMIC_RELAXED);
  double t;
  if (!bits)
    return lm_now();
  memcpy(&t, &bits, sizeof t);
  return t;
}

int lm_writer_set_wall_time(lm_writer *w, double wall_time) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!isfinite(wall_time))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "wall_time must be finite (unix seconds), got %g", wall_time);
  if (wall_time != 0 && (wall_time >= LM_WALL_MAX || wall_time < LM_WALL_MIN))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "wall_time %g is %s: unix seconds are expected%s", wall_time,
                   wall_time > 0 ? "after the year 9999" : "before the year 1",
                   wall_time > 0 ? " (milliseconds?)" : "");
  uint64_t bits = 0;
  if (wall_time != 0)
    memcpy(&bits, &wall_time, sizeof bits);
  __atomic_store_n(&w->wall_time_bits, bits, __ATOMIC_RELAXED);
  return LM_OK;
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------- tag table */

static uint64_t tag_hash(const char *name, lm_tag_kind kind, size_t *len) {
  /* FNV-1a; tags are short, so this costs a few ns. */
  uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
  const unsigned char *p = (const unsigned char *)name;
  for (; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  *len = (size_t)(p - (const unsigned char *)name);
  h ^= h >> 29;
  return h ? h : 1;
}

static lm_tag_entry *tag_find(lm_tag_table *t, const char *name,
                              lm_tag_kind kind, uint64_t h) {
  if (!t->cap)
    return NULL;
  for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    lm_tag_entry *e = &t->slots[i];
    if (!e->hash)
      return e; /* empty: where it would go */
    if (e->hash == h && e->kind == (uint32_t)kind && strcmp(e->name, name) == 0)
      return e;
  }
}

static bool tag_grow(lm_tag_table *t) {
  size_t ncap = t->cap ? t->cap * 2 : 64;
  lm_tag_entry *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    return false;
  for (size_t i = 0; i < t->cap; i++) {
    lm_tag_entry *e = &t->slots[i];
    if (!e->hash)
      continue;
    size_t j = e->hash & (ncap - 1);
    while (ns[j].hash)
      j = (j + 1) & (ncap - 1);
    ns[j] = *e;
  }
  free(t->slots);
  t->slots = ns;
  t->cap = ncap;
  return true;
}

int lm_tag_table_insert(lm_tag_table *t, const char *name, lm_tag_kind kind,
                        uint32_t id) {
  if ((t->count + 1) * 2 > t->cap && !tag_grow(t))
    return LM_ERR_NOMEM;
  size_t len;
  uint64_t h = tag_hash(name, kind, &len);
  lm_tag_entry *e = tag_find(t, name, kind, h);
  if (e->hash)
    return LM_OK; /* already there */
  char *copy = malloc(len + 1);
  if (!copy)
    return LM_ERR_NOMEM;
  memcpy(copy, name, len + 1);
  e->hash = h;
  e->kind = kind;
  e->id = id;
  e->name = copy;
  t->count++;
  return LM_OK;
}

void lm_tag_table_clear(lm_tag_table *t) {
  for (size_t i = 0; i < t->cap; i++)
    free(t->slots[i].name);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

int lm_tag_intern_locked(lm_writer *w, const char *name, lm_tag_kind kind,
                         uint32_t *id) {
  size_t len;
  uint64_t h = tag_hash(name, kind, &len);
  lm_tag_entry *e = tag_find(&w->tags, name, kind, h);
  if (e && e->hash) {
    *id = e->id;
    return LM_OK;
  }
  /* A new tag: check it once here; known tags were checked already. */
  int rc = lm_check_name(w, "tag", name);
  if (rc)
    return rc;
  lm_tag_payload *p = malloc(sizeof *p + len + 1);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for tag '%s'", name);
  p->hdr.bytes = sizeof *p + len + 1;
  p->kind = kind;
  memcpy(p->name, name, len + 1);
  uint32_t nid = w->next_tag_id;
  if (lm_tag_table_insert(&w->tags, name, kind, nid) != LM_OK) {
    free(p);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for tag '%s'", name);
  }
  w->next_tag_id++;
  lm_rec r = {.kind = LM_REC_TAG, .tag_id = nid};
  r.u.payload = p;
  lm_queue_push_locked(w, &r);
  w->records--; /* a tag row is bookkeeping, not a logged record */
  *id = nid;
  return LM_OK;
}

/* ----------------------------------------------------------------- queue */

int lm_fail_forked_locked(lm_writer *w) {
  return lm_fail(w, LM_ERR_INVALID_ARG,
                 "the writer for run '%s' belongs to process %ld; this "
                 "fork() child (pid %ld) cannot use it: open a writer on "
                 "another run in the child",
                 w->run_name, w->owner_pid, (long)getpid());
}

static int sticky_error_locked(lm_writer *w) {
  if (w->forked)
    return lm_fail_forked_locked(w);
  if (w->bg_error)
    return lm_fail(w, w->bg_error, "%s", w->bg_msg);
  return lm_fail(w, LM_ERR_CLOSED, "the writer for run '%s' is closing",
                 w->run_name);
}

int lm_queue_reserve_locked(lm_writer *w, size_t records, size_t bytes) {
  uint64_t t0 = 0;
  for (;;) {
    if (__builtin_expect(w->bg_error != 0 || w->stopping, 0))
      return sticky_error_locked(w);
    size_t used = (size_t)(w->head - w->tail);
    if (used + records <= w->cap &&
        (w->pending_bytes == 0 ||
         w->pending_bytes + bytes <= w->queue_max_bytes))
      break;
    if (!t0) {
      t0 = mono_ns();
      w->queue_waits++;
    }
    pthread_cond_signal(&w->work_cond);
    w->space_waiters++;
    pthread_cond_wait(&w->space_cond, &w->mu);
    w->space_waiters--;
  }
  if (t0)
    w->queue_wait_ns += mono_ns() - t0;
  return LM_OK;
}

/* Wakes a sleeping writer once a quarter of the queue is in use, so it
 * drains before producers have to wait; below that it wakes on its own
 * timer and callers never pay for a signal. */
static inline void kick_locked(lm_writer *w) {
  if (w->writer_waiting &&
      ((w->head - w->tail) >= w->cap / 4 ||
       w->pending_bytes >= w->queue_max_bytes / 4))
    pthread_cond_signal(&w->work_cond);
}

void lm_payload_free(uint32_t kind, void *payload) {
  if (!payload)
    return;
  if (kind == LM_REC_GRAPH)
    lm_graph_free(((lm_graph_payload *)payload)->graph);
  else if (kind == LM_REC_TRACE)
    lm_trace_free(((lm_trace_payload *)payload)->trace);
  free(payload);
}

int lm_queue_payload(lm_writer *w, lm_rec_kind kind, const char *tag,
                     lm_tag_kind tag_kind, int64_t step, double wall_time,
                     void *payload) {
  size_t bytes = ((lm_payload *)payload)->bytes;
  pthread_mutex_lock(&w->mu);
  int rc = lm_queue_reserve_locked(w, 2, bytes);
  lm_rec r = {.kind = kind, .step = step, .wall_time = wall_time};
  if (rc == LM_OK && tag)
    rc = lm_tag_intern_locked(w, tag, tag_kind, &r.tag_id);
  if (rc == LM_OK) {
    r.u.payload = payload;
    lm_queue_push_locked(w, &r);
    kick_locked(w);
  }
  pthread_mutex_unlock(&w->mu);
  if (rc != LM_OK)
    lm_payload_free(kind, payload);
  return rc;
}

/* --------------------------------------------------------------- scalars */

static inline int check_tag_fast(lm_writer *w, const char *tag) {
  if (__builtin_expect(tag == NULL || *tag == '\0', 0))
    return lm_fail(w, LM_ERR_INVALID_ARG, "tag is %s",
                   tag ? "empty" : "NULL");
  return LM_OK;
}

int lm_writer_add_scalar_at(lm_writer *w, const char *tag, int64_t step,
                            double value, double wall_time) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  int rc = check_tag_fast(w, tag);
  if (rc)
    return rc;
  /* The file's wall_time is NOT NULL (SQLite stores NaN as NULL): refused
   * here, or the commit holding it would fail and take the rows queued
   * with it. */
  if (__builtin_expect(!isfinite(wall_time), 0))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "wall_time must be finite (unix seconds), got %g", wall_time);
  /* Years 1..9999, what calendars (and the app's wall-time axis) show:
   * time.time() * 1000 is the usual slip. */
  if (__builtin_expect(wall_time >= LM_WALL_MAX || wall_time < LM_WALL_MIN, 0))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "wall_time %g is %s: unix seconds are expected%s", wall_time,
                   wall_time > 0 ? "after the year 9999" : "before the year 1",
                   wall_time > 0 ? " (milliseconds?)" : "");
  pthread_mutex_lock(&w->mu);
  rc = lm_queue_reserve_locked(w, 2, 0);
  if (__builtin_expect(rc == LM_OK, 1)) {
    lm_rec r = {.kind = LM_REC_SCALAR, .step = step, .wall_time = wall_time};
    r.u.value = value;
    rc = lm_tag_intern_locked(w, tag, LM_TAG_SCALAR, &r.tag_id);
    if (rc == LM_OK) {
      lm_queue_push_locked(w, &r);
      kick_locked(w);
    }
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}

int lm_writer_add_scalar(lm_writer *w, const char *tag, int64_t step,
                         double value) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  return lm_writer_add_scalar_at(w, tag, step, value, lm_writer_now(w));
}

int lm_writer_add_scalars(lm_writer *w, int64_t step, size_t n,
                          const char *const *tags, const double *values) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (n == 0)
    return LM_OK;
  if (!tags || !values)
    return lm_fail(w, LM_ERR_INVALID_ARG, "tags or values is NULL");
  /* Check every tag first so a bad one logs nothing of the batch. */
  for (size_t i = 0; i < n; i++) {
    if (!tags[i] || !*tags[i])
      return lm_fail(w, LM_ERR_INVALID_ARG, "tags[%zu] is %s", i,
                     tags[i] ? "empty" : "NULL");
    size_t bad = lm_utf8_check(tags[i], strlen(tags[i]));
    if (bad)
      return lm_fail(w, LM_ERR_UTF8,
                     "tags[%zu] is not valid UTF-8 (bad byte at offset %zu)",
                     i, bad - 1);
  }
  double now = lm_writer_now(w);
  int rc = LM_OK;
  pthread_mutex_lock(&w->mu);
  /* Each scalar may bring a new tag: reserve two slots per value, in
   * pieces no larger than half the queue. */
  size_t piece = w->cap / 4 ? w->cap / 4 : 1;
  for (size_t i = 0; i < n && rc == LM_OK; i += piece) {
    size_t m = n - i < piece ? n - i : piece;
    rc = lm_queue_reserve_locked(w, 2 * m, 0);
    for (size_t k = i; rc == LM_OK && k < i + m; k++) {
      lm_rec r = {.kind = LM_REC_SCALAR, .step = step, .wall_time = now};
      r.u.value = values[k];
      rc = lm_tag_intern_locked(w, tags[k], LM_TAG_SCALAR, &r.tag_id);
      if (rc == LM_OK)
        lm_queue_push_locked(w, &r);
    }
    kick_locked(w);
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}
