/* lm-json.h: a small strict JSON reader and a string builder, for the
 * safetensors header and checkpoint metadata.
 *
 * Strict on purpose: a checkpoint header that is not valid UTF-8 JSON is
 * refused (the reference safetensors implementation refuses it too). Integers
 * are kept exactly (shapes and byte offsets are 64-bit). Nesting is limited
 * so a hostile header cannot exhaust the stack.
 *
 * Not a general JSON library and not installed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  LM_JSON_NULL, LM_JSON_BOOL, LM_JSON_NUMBER, LM_JSON_STRING, LM_JSON_ARRAY, LM_JSON_OBJECT,
} lm_json_type;

typedef struct lm_json lm_json;
struct lm_json {
  lm_json_type type;
  bool boolean;
  double number;
  bool is_uint;      /* a non-negative integer that fits uint64 exactly */
  uint64_t uint;
  char *str;         /* strings: NUL-terminated UTF-8 (embedded NULs refused) */
  size_t n;          /* arrays and objects: number of items */
  lm_json **items;
  char **keys;       /* objects: keys[i] names items[i], in file order */
};

/* Parses exactly one JSON value (surrounding whitespace allowed). On error
 * returns NULL and writes "at byte N: what" into err. */
lm_json *lm_json_parse(const char *text, size_t len, char *err, size_t errlen);
void lm_json_free(lm_json *v);
/* Member of an object by key, or NULL. */
const lm_json *lm_json_get(const lm_json *obj, const char *key);

/* A growable string. */
typedef struct {
  char *buf;
  size_t len, cap;
  bool oom;
} lm_sbuf;
void lm_sbuf_append(lm_sbuf *s, const char *text, size_t len);
void lm_sbuf_printf(lm_sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends text as a quoted JSON string. */
void lm_sbuf_json_string(lm_sbuf *s, const char *text);
