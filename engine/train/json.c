/* json.c: the strict JSON reader and string builder of lm-json.h.
 *
 * Recursive descent over a length-bounded buffer (the safetensors header is
 * not NUL-terminated). Errors name the byte offset and what was expected.
 */
#include "train/lm-json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct {
  const unsigned char *p, *end, *start;
  char *err;
  size_t errlen;
  bool failed;
} jparser;

static void jfail(jparser *j, const char *what)
{
  if (!j->failed && j->err && j->errlen)
    snprintf(j->err, j->errlen, "at byte %zu: %s", (size_t)(j->p - j->start), what);
  j->failed = true;
}

static void skip_ws(jparser *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

void lm_json_free(lm_json *v)
{
  if (!v)
    return;
  for (size_t i = 0; i < v->n; i++) {
    lm_json_free(v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *out, uint32_t cp)
{
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Length of a valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
  unsigned c = p[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if ((size_t)(end - p) < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

static int hex4(const unsigned char *p)
{
  int v = 0;
  for (int i = 0; i < 4; i++) {
    int c = p[i], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

static char *parse_string(jparser *j)
{
  if (j->p >= j->end || *j->p != '"') {
    jfail(j, "expected a string");
    return NULL;
  }
  j->p++;
  /* the decoded string is never longer than the encoded one */
  const unsigned char *q = j->p;
  while (q < j->end && *q != '"') {
    if (*q == '\\' && q + 1 < j->end)
      q++;
    q++;
  }
  if (q >= j->end) {
    jfail(j, "unterminated string");
    return NULL;
  }
  char *out = malloc((size_t)(q - j->p) + 1);
  if (!out) {
    jfail(j, "out of memory");
    return NULL;
  }
  size_t o = 0;
  while (*j->p != '"') {
    unsigned c = *j->p;
    if (c < 0x20) {
      jfail(j, "control character in string");
      free(out);
      return NULL;
    }
    if (c == '\\') {
      j->p++;
      unsigned e = *j->p++;
      switch (e) {
      case '"': out[o++] = '"'; break;
      case '\\': out[o++] = '\\'; break;
      case '/': out[o++] = '/'; break;
      case 'b': out[o++] = '\b'; break;
      case 'f': out[o++] = '\f'; break;
      case 'n': out[o++] = '\n'; break;
      case 'r': out[o++] = '\r'; break;
      case 't': out[o++] = '\t'; break;
      case 'u': {
        int cp = j->end - j->p >= 4 ? hex4(j->p) : -1;
        if (cp < 0) { jfail(j, "bad \\u escape"); free(out); return NULL; }
        j->p += 4;
        uint32_t full = (uint32_t)cp;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          int lo = j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' ? hex4(j->p + 2) : -1;
          if (lo < 0xDC00 || lo > 0xDFFF) { jfail(j, "unpaired surrogate"); free(out); return NULL; }
          j->p += 6;
          full = 0x10000 + (((uint32_t)cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          jfail(j, "unpaired surrogate");
          free(out);
          return NULL;
        }
        if (full == 0) { jfail(j, "NUL character in string"); free(out); return NULL; }
        o += put_utf8(out + o, full);
        break;
      }
      default:
        jfail(j, "bad escape in string");
        free(out);
        return NULL;
      }
      continue;
    }
    size_t n = utf8_len(j->p, j->end);
    if (n == 0) {
      jfail(j, "invalid UTF-8 in string");
      free(out);
      return NULL;
    }
    memcpy(out + o, j->p, n);
    o += n;
    j->p += n;
  }
  j->p++;
  out[o] = '\0';
  return out;
}

static lm_json *parse_value(jparser *j, int depth);

static lm_json *new_value(jparser *j, lm_json_type t)
{
  lm_json *v = calloc(1, sizeof *v);
  if (!v)
    jfail(j, "out of memory");
  else
    v->type = t;
  return v;
}

static bool push_item(jparser *j, lm_json *v, char *key, lm_json *item)
{
  if ((v->n & (v->n - 1)) == 0) { /* grow at powers of two */
    size_t cap = v->n ? v->n * 2 : 4;
    lm_json **ni = realloc(v->items, cap * sizeof *ni);
    if (ni)
      v->items = ni;
    char **nk = ni && v->type == LM_JSON_OBJECT ? realloc(v->keys, cap * sizeof *nk) : NULL;
    if (nk)
      v->keys = nk;
    if (!ni || (v->type == LM_JSON_OBJECT && !nk)) {
      jfail(j, "out of memory");
      return false;
    }
  }
  if (v->type == LM_JSON_OBJECT)
    v->keys[v->n] = key;
  v->items[v->n++] = item;
  return true;
}

static lm_json *parse_container(jparser *j, int depth, bool object)
{
  lm_json *v = new_value(j, object ? LM_JSON_OBJECT : LM_JSON_ARRAY);
  if (!v)
    return NULL;
  j->p++;
  skip_ws(j);
  if (j->p < j->end && *j->p == (object ? '}' : ']')) {
    j->p++;
    return v;
  }
  for (;;) {
    skip_ws(j);
    char *key = NULL;
    if (object) {
      key = parse_string(j);
      if (!key)
        break;
      for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0) {
          jfail(j, "duplicate key in object");
          free(key);
          key = NULL;
          break;
        }
      if (!key)
        break;
      skip_ws(j);
      if (j->p >= j->end || *j->p != ':') {
        jfail(j, "expected ':' after an object key");
        free(key);
        break;
      }
      j->p++;
    }
    lm_json *item = parse_value(j, depth + 1);
    if (!item || !push_item(j, v, key, item)) {
      free(key);
      lm_json_free(item);
      break;
    }
    skip_ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == (object ? '}' : ']')) {
      j->p++;
      return v;
    }
    jfail(j, object ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    break;
  }
  lm_json_free(v);
  return NULL;
}

static lm_json *parse_number(jparser *j)
{
  const unsigned char *s = j->p;
  if (j->p < j->end && *j->p == '-')
    j->p++;
  if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
    jfail(j, "expected a value");
    return NULL;
  }
  if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9') {
    jfail(j, "leading zero in number");
    return NULL;
  }
  bool integer = true;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
    j->p++;
  if (j->p < j->end && *j->p == '.') {
    integer = false;
    j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') { jfail(j, "bad number"); return NULL; }
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
      j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    integer = false;
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
      j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') { jfail(j, "bad number"); return NULL; }
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
      j->p++;
  }
  char tmp[64];
  size_t n = (size_t)(j->p - s);
  if (n >= sizeof tmp) {
    jfail(j, "number too long");
    return NULL;
  }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  lm_json *v = new_value(j, LM_JSON_NUMBER);
  if (!v)
    return NULL;
  v->number = strtod(tmp, NULL);
  if (integer && tmp[0] != '-') {
    uint64_t u = 0;
    bool overflow = false;
    for (size_t i = 0; i < n; i++) {
      uint64_t d = (uint64_t)(tmp[i] - '0');
      if (u > (UINT64_MAX - d) / 10)
        overflow = true;
      u = u * 10 + d;
    }
    v->is_uint = !overflow;
    v->uint = u;
  }
  return v;
}

static bool match_word(jparser *j, const char *w)
{
  size_t n = strlen(w);
  if ((size_t)(j->end - j->p) >= n && memcmp(j->p, w, n) == 0) {
    j->p += n;
    return true;
  }
  return false;
}

static lm_json *parse_value(jparser *j, int depth)
{
  if (depth > JSON_MAX_DEPTH) {
    jfail(j, "nested too deeply");
    return NULL;
  }
  skip_ws(j);
  if (j->p >= j->end) {
    jfail(j, "unexpected end of JSON");
    return NULL;
  }
  switch (*j->p) {
  case '{': return parse_container(j, depth, true);
  case '[': return parse_container(j, depth, false);
  case '"': {
    char *s = parse_string(j);
    if (!s)
      return NULL;
    lm_json *v = new_value(j, LM_JSON_STRING);
    if (v)
      v->str = s;
    else
      free(s);
    return v;
  }
  case 't': case 'f': case 'n': {
    lm_json *v = NULL;
    if (match_word(j, "true") || match_word(j, "false")) {
      v = new_value(j, LM_JSON_BOOL);
      if (v)
        v->boolean = j->p[-1] == 'e' && j->p[-2] == 'u';
    } else if (match_word(j, "null")) {
      v = new_value(j, LM_JSON_NULL);
    } else {
      jfail(j, "expected a value");
    }
    return v;
  }
  default:
    return parse_number(j);
  }
}

lm_json *lm_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
  jparser j = { .p = (const unsigned char *)text, .end = (const unsigned char *)text + len,
                .start = (const unsigned char *)text, .err = err, .errlen = errlen };
  if (err && errlen)
    err[0] = '\0';
  lm_json *v = parse_value(&j, 0);
  if (v) {
    skip_ws(&j);
    if (j.p != j.end) {
      jfail(&j, "unexpected data after the JSON value");
      lm_json_free(v);
      v = NULL;
    }
  }
  return v;
}

const lm_json *lm_json_get(const lm_json *obj, const char *key)
{
  if (!obj || obj->type != LM_JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

void lm_sbuf_append(lm_sbuf *s, const char *text, size_t len)
{
  if (s->oom)
    return;
  if (s->len + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + len + 1)
      cap *= 2;
    char *nb = realloc(s->buf, cap);
    if (!nb) {
      s->oom = true;
      return;
    }
    s->buf = nb;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, text, len);
  s->len += len;
  s->buf[s->len] = '\0';
}

void lm_sbuf_printf(lm_sbuf *s, const char *fmt, ...)
{
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof tmp) {
    lm_sbuf_append(s, tmp, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    s->oom = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  lm_sbuf_append(s, big, (size_t)n);
  free(big);
}

void lm_sbuf_json_string(lm_sbuf *s, const char *text)
{
  lm_sbuf_append(s, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    switch (*p) {
    case '"': lm_sbuf_append(s, "\\\"", 2); break;
    case '\\': lm_sbuf_append(s, "\\\\", 2); break;
    case '\n': lm_sbuf_append(s, "\\n", 2); break;
    case '\r': lm_sbuf_append(s, "\\r", 2); break;
    case '\t': lm_sbuf_append(s, "\\t", 2); break;
    default:
      if (*p < 0x20)
        lm_sbuf_printf(s, "\\u%04x", *p);
      else
        lm_sbuf_append(s, (const char *)p, 1);
    }
  }
  lm_sbuf_append(s, "\"", 1);
}
