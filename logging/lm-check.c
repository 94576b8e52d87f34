/* lm-check.c: error reporting and input checks for lumen-log.
 *
 * What it is for: the thread-local and per-writer error messages, mapping
 * SQLite failures to lm_error codes, and the validators every entry point
 * uses (tag names, UTF-8 text, JSON attribute strings).
 * Not for: anything that touches the queue or the database.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lm-log-private.h"

static __thread char lm_tls_error[512];

const char *lm_log_last_error(void) { return lm_tls_error; }

int lm_fail(lm_writer *w, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(lm_tls_error, sizeof lm_tls_error, fmt, ap);
  va_end(ap);
  if (w) {
    pthread_mutex_lock(&w->err_mu);
    memcpy(w->errmsg, lm_tls_error, sizeof w->errmsg);
    pthread_mutex_unlock(&w->err_mu);
  }
  return code;
}

const char *lm_writer_error_message(lm_writer *w) {
  if (!w)
    return lm_tls_error;
  return w->errmsg;
}

const char *lm_error_name(int code) {
  switch (code) {
  case LM_OK: return "LM_OK";
  case LM_ERR_INVALID_ARG: return "LM_ERR_INVALID_ARG";
  case LM_ERR_UTF8: return "LM_ERR_UTF8";
  case LM_ERR_IO: return "LM_ERR_IO";
  case LM_ERR_LOCKED: return "LM_ERR_LOCKED";
  case LM_ERR_DISK_FULL: return "LM_ERR_DISK_FULL";
  case LM_ERR_TOO_LARGE: return "LM_ERR_TOO_LARGE";
  case LM_ERR_NOMEM: return "LM_ERR_NOMEM";
  case LM_ERR_SQLITE: return "LM_ERR_SQLITE";
  case LM_ERR_FORMAT: return "LM_ERR_FORMAT";
  case LM_ERR_CLOSED: return "LM_ERR_CLOSED";
  default: return "LM_ERR_UNKNOWN";
  }
}

const char *lm_sqlite_errmsg(sqlite3 *db) {
  static __thread char buf[320];
  int err = errno; /* before anything else can change it */
  const char *msg = sqlite3_errmsg(db);
  int ext = sqlite3_extended_errcode(db), code = ext & 0xff;
  int sys = sqlite3_system_errno(db);
  /* SQLite keeps no errno for a failed write to the -wal (a file size
   * limit's EFBIG); the C library's is still the write's */
  if (sys == 0 && ext == SQLITE_IOERR_WRITE)
    sys = err;
  if ((code != SQLITE_IOERR && code != SQLITE_CANTOPEN) || sys == 0)
    return msg;
  snprintf(buf, sizeof buf, "%s: %s", msg, strerror(sys));
  return buf;
}

int lm_error_from_sqlite(sqlite3 *db, int rc) {
  int sys = db ? sqlite3_system_errno(db) : 0;
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_DONE:
  case SQLITE_ROW:
    return LM_OK;
  case SQLITE_FULL:
    return LM_ERR_DISK_FULL;
  case SQLITE_IOERR:
  case SQLITE_CANTOPEN:
  case SQLITE_READONLY:
  case SQLITE_PERM:
    if (sys == ENOSPC || sys == EDQUOT)
      return LM_ERR_DISK_FULL;
    return LM_ERR_IO;
  case SQLITE_NOMEM:
    return LM_ERR_NOMEM;
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return LM_ERR_FORMAT;
  default:
    return LM_ERR_SQLITE;
  }
}

const char *lm_tag_kind_name(lm_tag_kind k) {
  static const char *const names[] = {"scalar", "histogram", "image", "text",
                                       "pr_curve", "audio", "mesh"};
  _Static_assert(sizeof names / sizeof names[0] == LM_TAG_N_KINDS,
                 "a name per tag kind");
  return (unsigned)k < LM_TAG_N_KINDS ? names[k] : "?";
}

/* ------------------------------------------------------------------ UTF-8 */

size_t lm_utf8_check(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i + 1; /* stray continuation byte, 0xC0/0xC1 or 0xF5.. */
    }
    if (i + n >= len)
      return i + 1; /* truncated sequence */
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return i + 1;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i + 1; /* overlong, beyond Unicode, or a surrogate */
    i += n + 1;
  }
  return 0;
}

int lm_check_writer_tag(lm_writer *w, const char *tag) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!tag || !*tag)
    return lm_fail(w, LM_ERR_INVALID_ARG, "tag is %s",
                   tag ? "empty" : "NULL");
  return LM_OK;
}

int lm_check_name(lm_writer *w, const char *what, const char *s) {
  if (!s)
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s is NULL", what);
  if (!*s)
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s is empty", what);
  size_t bad = lm_utf8_check(s, strlen(s));
  if (bad)
    return lm_fail(w, LM_ERR_UTF8,
                   "%s is not valid UTF-8 (bad byte 0x%02x at offset %zu)",
                   what, (unsigned char)s[bad - 1], bad - 1);
  return LM_OK;
}

int lm_check_relative_name(lm_writer *w, const char *what, const char *s,
                           const char *base) {
  int rc = lm_check_name(w, what, s);
  if (rc)
    return rc;
  if (s[0] == '/')
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s '%s' must be relative to %s",
                   what, s, base);
  const char *p = s;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == 0 || (len == 1 && p[0] == '.') ||
        (len == 2 && p[0] == '.' && p[1] == '.'))
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "%s '%s' has an empty, '.' or '..' component", what, s);
    p += len;
    if (*p == '/')
      p++;
  }
  return LM_OK;
}

int lm_check_text(lm_writer *w, const char *what, const char *s,
                  bool nullable) {
  if (!s) {
    if (nullable)
      return LM_OK;
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s is NULL", what);
  }
  size_t bad = lm_utf8_check(s, strlen(s));
  if (bad)
    return lm_fail(w, LM_ERR_UTF8,
                   "%s is not valid UTF-8 (bad byte 0x%02x at offset %zu)",
                   what, (unsigned char)s[bad - 1], bad - 1);
  return LM_OK;
}

/* ------------------------------------------------------------------- JSON */

/* A small recursive-descent checker: enough to refuse attribute strings a
 * reader's JSON parser would choke on.  Depth is capped so hostile input
 * cannot blow the stack. */
typedef struct {
  const char *p;
  int depth;
} lm_json;

static void json_ws(lm_json *j) {
  while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
    j->p++;
}

static bool json_value(lm_json *j);

static bool json_string(lm_json *j) {
  if (*j->p != '"')
    return false;
  j->p++;
  for (;;) {
    unsigned char c = (unsigned char)*j->p;
    if (c == '"') {
      j->p++;
      return true;
    }
    if (c < 0x20)
      return false; /* includes the terminating NUL */
    if (c == '\\') {
      j->p++;
      char e = *j->p;
      if (e == 'u') {
        for (int k = 1; k <= 4; k++) {
          char h = j->p[k];
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                (h >= 'A' && h <= 'F')))
            return false;
        }
        j->p += 5;
        continue;
      }
      if (!e || !strchr("\"\\/bfnrt", e))
        return false;
    }
    j->p++;
  }
}

static bool json_number(lm_json *j) {
  const char *p = j->p;
  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    while (*p >= '0' && *p <= '9')
      p++;
  else
    return false;
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9'))
      return false;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!(*p >= '0' && *p <= '9'))
      return false;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  j->p = p;
  return true;
}

static bool json_container(lm_json *j, char close, bool object) {
  if (++j->depth > 64)
    return false;
  j->p++;
  json_ws(j);
  if (*j->p == close) {
    j->p++;
    j->depth--;
    return true;
  }
  for (;;) {
    json_ws(j);
    if (object) {
      if (!json_string(j))
        return false;
      json_ws(j);
      if (*j->p != ':')
        return false;
      j->p++;
    }
    if (!json_value(j))
      return false;
    json_ws(j);
    if (*j->p == ',') {
      j->p++;
      continue;
    }
    if (*j->p == close) {
      j->p++;
      j->depth--;
      return true;
    }
    return false;
  }
}

static bool json_value(lm_json *j) {
  json_ws(j);
  switch (*j->p) {
  case '{': return json_container(j, '}', true);
  case '[': return json_container(j, ']', false);
  case '"': return json_string(j);
  case 't':
    if (strncmp(j->p, "true", 4))
      return false;
    j->p += 4;
    return true;
  case 'f':
    if (strncmp(j->p, "false", 5))
      return false;
    j->p += 5;
    return true;
  case 'n':
    if (strncmp(j->p, "null", 4))
      return false;
    j->p += 4;
    return true;
  default:
    return json_number(j);
  }
}

bool lm_json_valid(const char *s) {
  lm_json j = {s, 0};
  if (!json_value(&j))
    return false;
  json_ws(&j);
  return *j.p == '\0';
}

bool lm_json_append_string(char *buf, size_t cap, size_t *pos, const char *s) {
  size_t p = *pos;
#define PUT(ch)                                                                \
  do {                                                                         \
    if (p + 1 >= cap)                                                          \
      return false;                                                            \
    buf[p++] = (ch);                                                           \
  } while (0)
  PUT('"');
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') {
      PUT('\\');
      PUT((char)*c);
    } else if (*c < 0x20) {
      static const char hex[] = "0123456789abcdef";
      PUT('\\');
      PUT('u');
      PUT('0');
      PUT('0');
      PUT(hex[*c >> 4]);
      PUT(hex[*c & 15]);
    } else {
      PUT((char)*c);
    }
  }
  PUT('"');
#undef PUT
  buf[p] = '\0';
  *pos = p;
  return true;
}
