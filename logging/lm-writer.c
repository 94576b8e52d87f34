/* lm-writer.c: opening, flushing and closing a run.
 *
 * What it is for: the writer's life cycle.  Opening resolves the run name
 * (TensorBoard's default when none is given), creates the folders, takes
 * the run's lock (an flock on run.lumen.lock, released by the kernel when
 * the process dies, so a SIGKILLed run never stays locked), creates or
 * checks the schema, records the run metadata and starts the writer
 * thread.  Closing flushes, records the final status and frees.
 * Not for: the logging calls (lm-queue.c, lm-records.c) or SQL inserts
 * (lm-store.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lm-log-private.h"

#define LM_DEFAULT_QUEUE_CAPACITY 65536
#define LM_DEFAULT_QUEUE_BYTES (64u << 20)
#define LM_DEFAULT_IMAGE_BYTES (64u << 20)
/* what lumen's reader composes for a video (lm_image_decode_apng) */
#define LM_DEFAULT_VIDEO_BYTES ((size_t)1 << 30)
#define LM_DEFAULT_MESH_BYTES ((size_t)256 << 20)

void lm_writer_options_init(lm_writer_options *opts) {
  if (opts)
    memset(opts, 0, sizeof *opts);
}

static char *str_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static int fail_errno(lm_writer *w, int err, const char *what,
                      const char *path) {
  int code = (err == ENOSPC || err == EDQUOT) ? LM_ERR_DISK_FULL : LM_ERR_IO;
  return lm_fail(w, code, "%s '%s': %s", what, path, strerror(err));
}

/* ------------------------------------------------------------ run names */

/* TensorBoard's default: strftime("%b%d_%H-%M-%S") + "_" + hostname +
 * comment, in local time and with English month names whatever the
 * locale, e.g. "Nov21_07-45-12_gpu1". */
static char *default_run_name(const char *comment) {
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  char host[256] = "localhost";
  if (gethostname(host, sizeof host - 1) != 0 || !host[0])
    strcpy(host, "localhost");
  host[sizeof host - 1] = '\0';
  for (char *c = host; *c; c++)
    if (*c == '/')
      *c = '_';
  time_t t = time(NULL);
  struct tm tm;
  localtime_r(&t, &tm);
  return str_printf("%s%02d_%02d-%02d-%02d_%s%s", months[tm.tm_mon],
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, host,
                    comment ? comment : "");
}

/* A run name is a relative path of one or more non-empty components,
 * none of them "." or "..", so a run can never land outside its logdir. */
static int check_run_name(const char *name) {
  return lm_check_relative_name(NULL, "run name", name, "the log directory");
}

static int mkdir_p(const char *dir) {
  char *tmp = strdup(dir);
  if (!tmp)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  int rc = LM_OK;
  for (char *p = tmp + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(tmp, 0777) != 0) {
      int err = errno;
      struct stat st;
      if (err != EEXIST) {
        rc = fail_errno(NULL, err, "cannot create log directory", tmp);
        break;
      }
      if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = lm_fail(NULL, LM_ERR_IO,
                     "cannot create log directory '%s': a file of that name "
                     "is in the way",
                     tmp);
        break;
      }
    }
    *p = saved;
    if (!saved)
      break;
    while (p[1] == '/')
      p++;
    if (!p[1])
      break;
  }
  free(tmp);
  return rc;
}

/* SummaryWriter's default run name under logdir, claimed by creating its
 * folder: mkdir either makes it or fails with EEXIST, so two processes
 * starting in the same second (the name's resolution) get NAME and NAME_2
 * instead of one run file. */
static int claim_default_name(const char *logdir, const char *comment,
                              char **name) {
  *name = NULL;
  int rc = mkdir_p(logdir);
  char *base = rc ? NULL : default_run_name(comment);
  if (rc)
    return rc;
  if (!base)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  for (int k = 1; k < 1000; k++) {
    char *cand = k == 1 ? strdup(base) : str_printf("%s_%d", base, k);
    char *dir = cand ? str_printf("%s/%s", logdir, cand) : NULL;
    if (!dir) {
      free(cand);
      free(base);
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    }
    int made = mkdir(dir, 0777), err = errno;
    if (made == 0) {
      free(dir);
      free(base);
      *name = cand;
      return LM_OK;
    }
    free(cand);
    if (err != EEXIST) {
      rc = fail_errno(NULL, err, "cannot create run directory", dir);
      free(dir);
      free(base);
      return rc;
    }
    free(dir);
  }
  rc = lm_fail(NULL, LM_ERR_IO, "'%s/%s' and its _2 ... _999 all exist; "
               "name the run", logdir, base ? base : "");
  free(base);
  return rc;
}

char *lm_writer_claim_default_run_name(const char *logdir,
                                       const char *comment) {
  char *name = NULL;
  if (!logdir || !*logdir) {
    lm_fail(NULL, LM_ERR_INVALID_ARG, "logdir is empty");
    return NULL;
  }
  if (comment && lm_check_text(NULL, "comment", comment, true))
    return NULL;
  claim_default_name(logdir, comment, &name);
  return name;
}

/* --------------------------------------------------------------- lock */

/* The writers holding a lock in this process.  An flock() belongs to the
 * open file description, which fork() shares with the child (O_CLOEXEC only
 * helps at exec): a forked helper that outlives the writer would keep the
 * run locked.  The child therefore closes its copies at once, and forgets
 * them: the exit handler (below) closes the open writers of this list,
 * and a child has no writer thread and does not own the parent's runs. */
static pthread_mutex_t locked_mu = PTHREAD_MUTEX_INITIALIZER;
static lm_writer **locked;
static size_t n_locked, cap_locked;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Each writer's mutexes are held across fork(), so the child's copies are
 * never left locked by a parent thread that was inside a logging call. */
static void atfork_prepare(void) {
  pthread_mutex_lock(&locked_mu);
  for (size_t i = 0; i < n_locked; i++) {
    pthread_mutex_lock(&locked[i]->mu);
    pthread_mutex_lock(&locked[i]->err_mu);
  }
}
static void atfork_parent(void) {
  for (size_t i = 0; i < n_locked; i++) {
    pthread_mutex_unlock(&locked[i]->err_mu);
    pthread_mutex_unlock(&locked[i]->mu);
  }
  pthread_mutex_unlock(&locked_mu);
}
/* The child's copies refuse every call (lm_fail_forked_locked): without
 * this a child's logging call returned LM_OK and its data vanished (no
 * writer thread here), and a flush or close waited forever. */
static void atfork_child(void) {
  for (size_t i = 0; i < n_locked; i++) {
    lm_writer *w = locked[i];
    close(w->lock_fd);
    w->lock_fd = -1;
    w->forked = true;
    w->stopping = true;
    pthread_mutex_unlock(&w->err_mu);
    pthread_mutex_unlock(&w->mu);
  }
  n_locked = 0; /* the array itself stays: freeing after fork is unsafe */
  pthread_mutex_unlock(&locked_mu);
}
static void install_atfork(void) {
  pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static bool register_lock(lm_writer *w) {
  pthread_once(&atfork_once, install_atfork);
  pthread_mutex_lock(&locked_mu);
  if (n_locked == cap_locked) {
    size_t cap = cap_locked ? 2 * cap_locked : 8;
    lm_writer **grown = realloc(locked, cap * sizeof *grown);
    if (!grown) {
      pthread_mutex_unlock(&locked_mu);
      return false;
    }
    locked = grown, cap_locked = cap;
  }
  locked[n_locked++] = w;
  pthread_mutex_unlock(&locked_mu);
  return true;
}

/* Takes w for closing: false if lm_writer_close or the exit handler
 * already has it. */
static bool claim_close(lm_writer *w) {
  pthread_mutex_lock(&locked_mu);
  bool mine = !w->closing;
  w->closing = true;
  pthread_mutex_unlock(&locked_mu);
  return mine;
}

/* Closes the lock file, which releases the flock. */
static void release_lock(lm_writer *w) {
  pthread_mutex_lock(&locked_mu);
  for (size_t i = 0; i < n_locked; i++)
    if (locked[i] == w) {
      locked[i] = locked[--n_locked];
      break;
    }
  if (w->lock_fd >= 0)
    close(w->lock_fd);
  w->lock_fd = -1;
  pthread_mutex_unlock(&locked_mu);
}

static int take_lock(lm_writer *w) {
  int fd = open(w->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int open_err = errno; /* access() below must not replace it */
  if (fd < 0 &&
      (open_err == EACCES || open_err == EPERM || open_err == EROFS) &&
      access(w->lock_path, F_OK) == 0)
    return fail_errno(NULL, open_err, "cannot open the lock file",
                      w->lock_path);
  if (fd < 0)
    return fail_errno(NULL, open_err, "cannot write in run directory",
                      w->run_dir);
  /* A reader may probe liveness with a brief LOCK_SH (run-format.md);
   * retry for ~100 ms so such a probe is not mistaken for a writer. */
  int got_lock = -1;
  for (int attempt = 0; attempt < 6; attempt++) {
    got_lock = flock(fd, LOCK_EX | LOCK_NB);
    if (got_lock == 0 || errno != EWOULDBLOCK)
      break;
    usleep(20000);
  }
  if (got_lock != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) {
      close(fd);
      return fail_errno(NULL, err, "cannot lock", w->lock_path);
    }
    char buf[300] = "";
    ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    buf[got > 0 ? got : 0] = '\0';
    long pid = 0;
    char host[256] = "?";
    if (sscanf(buf, "%ld %255s", &pid, host) < 1)
      pid = 0;
    if (pid == (long)getpid())
      return lm_fail(NULL, LM_ERR_LOCKED,
                     "run '%s' in '%s' is already open for writing in this "
                     "process (pid %ld); close the other lm_writer first",
                     w->run_name, w->logdir, pid);
    if (pid > 0)
      return lm_fail(NULL, LM_ERR_LOCKED,
                     "run '%s' in '%s' is being written by another live "
                     "process (pid %ld on %s); pick another run name or stop "
                     "that process",
                     w->run_name, w->logdir, pid, host);
    return lm_fail(NULL, LM_ERR_LOCKED,
                   "run '%s' in '%s' is being written by another live process",
                   w->run_name, w->logdir);
  }
  char host[256] = "localhost";
  if (gethostname(host, sizeof host - 1) != 0)
    strcpy(host, "localhost");
  host[sizeof host - 1] = '\0';
  char buf[300];
  int len = snprintf(buf, sizeof buf, "%ld %s\n", (long)getpid(), host);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
    int err = errno;
    close(fd);
    return fail_errno(NULL, err, "cannot write", w->lock_path);
  }
  w->lock_fd = fd;
  if (!register_lock(w)) {
    close(fd);
    w->lock_fd = -1;
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }
  return LM_OK;
}

/* --------------------------------------------------------- run metadata */

/* The command line from /proc/self/cmdline, arguments joined with spaces
 * and quoted shell-style where needed; bytes that are not UTF-8 become
 * '?', so the text column always holds valid UTF-8. */
static char *read_command_line(void) {
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return strdup("");
  char raw[8192];
  ssize_t n = read(fd, raw, sizeof raw - 1);
  close(fd);
  if (n <= 0)
    return strdup("");
  raw[n] = '\0';
  char *out = malloc((size_t)n * 4 + 16);
  if (!out)
    return NULL;
  size_t o = 0;
  for (ssize_t i = 0; i < n;) {
    const char *arg = raw + i;
    size_t len = strlen(arg);
    bool quote = len == 0 || strpbrk(arg, " \t\n'\"\\$`*?;&|<>()") != NULL;
    if (o)
      out[o++] = ' ';
    if (quote)
      out[o++] = '\'';
    for (size_t k = 0; k < len; k++) {
      if (arg[k] == '\'' && quote) {
        memcpy(out + o, "'\\''", 4);
        o += 4;
      } else {
        out[o++] = arg[k];
      }
    }
    if (quote)
      out[o++] = '\'';
    i += (ssize_t)len + 1;
  }
  out[o] = '\0';
  for (size_t bad; (bad = lm_utf8_check(out, o)) != 0;)
    out[bad - 1] = '?';
  return out;
}

static int exec_sql(lm_writer *w, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(w->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    int code = lm_error_from_sqlite(w->db, rc);
    lm_fail(NULL, code, "run file '%s': %s", w->path,
            msg ? lm_sqlite_errmsg(w->db) : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return code;
  }
  return LM_OK;
}

static int add_columns(lm_writer *w) {
  char err[256];
  int rc = lm_schema_add_columns(w->db, err, sizeof err);
  if (rc != SQLITE_OK)
    return lm_fail(NULL, lm_error_from_sqlite(w->db, rc), "run file '%s': %s",
                   w->path, err);
  return LM_OK;
}

static int64_t query_int(sqlite3 *db, const char *sql, int *rc) {
  sqlite3_stmt *st = NULL;
  int64_t v = 0;
  *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (*rc == SQLITE_OK) {
    *rc = sqlite3_step(st);
    if (*rc == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
      *rc = SQLITE_OK;
    } else if (*rc == SQLITE_DONE) {
      *rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(st);
  return v;
}

static int set_meta(lm_writer *w, const char *sql, const char *key,
                    const char *value) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(w->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK)
    return lm_fail(NULL, lm_error_from_sqlite(w->db, rc), "run file '%s': %s",
                   w->path, lm_sqlite_errmsg(w->db));
  return LM_OK;
}

/* SummaryWriter(purge_step=...): deletes the records of step >= step. The
 * scalar summaries go too (their blocks would count deleted rows); readers
 * then read this run row by row, which is always correct. */
static int purge_from(lm_writer *w, int64_t step) {
  static const char *const sql[] = {
      "DELETE FROM scalars WHERE step >= ?1",
      "DELETE FROM histograms WHERE step >= ?1",
      "DELETE FROM images WHERE step >= ?1",
      "DELETE FROM texts WHERE step >= ?1",
      "DELETE FROM audio WHERE step >= ?1",
      "DELETE FROM meshes WHERE step >= ?1",
      "DELETE FROM pr_curve_points WHERE curve_id IN "
      "(SELECT id FROM pr_curves WHERE step >= ?1)",
      "DELETE FROM pr_curves WHERE step >= ?1",
      "DELETE FROM trace_events WHERE trace_id IN "
      "(SELECT id FROM traces WHERE step >= ?1)",
      "DELETE FROM traces WHERE step >= ?1",
      "DELETE FROM graph_nodes WHERE graph_id IN "
      "(SELECT id FROM graphs WHERE step >= ?1)",
      "DELETE FROM graph_edges WHERE graph_id IN "
      "(SELECT id FROM graphs WHERE step >= ?1)",
      "DELETE FROM graphs WHERE step >= ?1",
      "DELETE FROM embedding_metadata WHERE embedding_id IN "
      "(SELECT id FROM embeddings WHERE step >= ?1)",
      "DELETE FROM embedding_columns WHERE embedding_id IN "
      "(SELECT id FROM embeddings WHERE step >= ?1)",
      "DELETE FROM embedding_values WHERE embedding_id IN "
      "(SELECT id FROM embeddings WHERE step >= ?1)",
      "DELETE FROM embeddings WHERE step >= ?1",
  };
  int changed = 0;
  for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(w->db, sql[i], -1, &st, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, step);
      rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        changed += sqlite3_changes(w->db);
      }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
      return lm_fail(NULL, lm_error_from_sqlite(w->db, rc),
                     "run file '%s': purging steps >= %lld: %s", w->path,
                     (long long)step, lm_sqlite_errmsg(w->db));
  }
  return changed ? exec_sql(w, "DELETE FROM scalar_summaries") : LM_OK;
}

/* Creates the schema in a new file, or checks an existing one, and
 * records this session's metadata, all in one transaction. */
static int init_file(lm_writer *w, const char *command_line) {
  int rc = exec_sql(w, "BEGIN IMMEDIATE");
  if (rc)
    return rc;
  int src;
  int64_t version = query_int(w->db, "PRAGMA user_version", &src);
  int64_t ntables =
      src ? 0
          : query_int(w->db, "SELECT count(*) FROM sqlite_master", &src);
  if (src) {
    rc = lm_fail(NULL, lm_error_from_sqlite(w->db, src),
                 "'%s' is not a readable run file: %s", w->path,
                 lm_sqlite_errmsg(w->db));
    goto out;
  }
  if (version == 0 && ntables > 0) {
    rc = lm_fail(NULL, LM_ERR_FORMAT,
                 "'%s' is an SQLite database but not a Lumen run file",
                 w->path);
    goto out;
  }
  if (version > LM_RUN_SCHEMA_VERSION) {
    rc = lm_fail(NULL, LM_ERR_FORMAT,
                 "'%s' has run-file schema %lld; this lumen-log (%s) writes "
                 "schema %d",
                 w->path, (long long)version, LM_LOG_VERSION_STRING,
                 LM_RUN_SCHEMA_VERSION);
    goto out;
  }
  /* The embedding tables came after schema 1's first tables: every file,
   * new or older, gets them here, before a purge deletes from them. */
  if ((rc = exec_sql(w, LM_EMBEDDINGS_SQL)))
    goto out;
  double now = lm_now();
  char nowbuf[64];
  snprintf(nowbuf, sizeof nowbuf, "%.6f", now);
  if (version == 0) {
    char created[64];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    static const char ins_meta[] =
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";
    if ((rc = exec_sql(w, lm_schema_sql)) ||
        (rc = exec_sql(w, "PRAGMA user_version = 1")) ||
        (rc = set_meta(w, ins_meta, "schema_version", "1")) ||
        (rc = set_meta(w, ins_meta, "producer",
                       "lumen-log " LM_LOG_VERSION_STRING)) ||
        (rc = set_meta(w, ins_meta, "run_name", w->run_name)) ||
        (rc = set_meta(w, ins_meta, "created", created)))
      goto out;
  } else if ((rc = exec_sql(w, LM_SCALAR_SUMMARIES_SQL))) {
    /* A file from before summaries existed: they cover what comes now
     * (readers notice they do not cover every row and read all rows). */
    goto out;
  } else if ((rc = exec_sql(w, LM_PR_CURVES_SQL))) {
    /* a file from before PR curves: the tables only add to it */
    goto out;
  } else if ((rc = exec_sql(w, LM_CUSTOM_SCALARS_SQL))) {
    /* a file from before custom scalars: the same */
    goto out;
  } else if ((rc = exec_sql(w, LM_AUDIO_SQL))) {
    /* a file from before audio: the same */
    goto out;
  } else if ((rc = exec_sql(w, LM_MESHES_SQL))) {
    /* a file from before meshes: the same */
    goto out;
  } else if ((rc = exec_sql(w, LM_HPARAM_GROUPS_SQL))) {
    /* a file from before grouped metrics: the same */
    goto out;
  } else if ((rc = exec_sql(w, LM_HPARAM_LABELS_SQL))) {
    /* a file from before display names: the same */
    goto out;
  } else if ((rc = exec_sql(w, LM_HPARAM_COLUMNS_SQL))) {
    /* a file from before hparam columns: the same */
    goto out;
  } else if ((rc = add_columns(w))) {
    /* a file from before op times: its traces read as untimed */
    goto out;
  } else if (w->purge && (rc = purge_from(w, w->purge_step))) {
    goto out;
  }
  char host[256] = "localhost", pid[32];
  if (gethostname(host, sizeof host - 1) != 0)
    strcpy(host, "localhost");
  host[sizeof host - 1] = '\0';
  for (size_t bad; (bad = lm_utf8_check(host, strlen(host))) != 0;)
    host[bad - 1] = '?';
  snprintf(pid, sizeof pid, "%ld", (long)getpid());
  static const char ins_run[] =
      "INSERT OR REPLACE INTO run(key, value) VALUES (?1, ?2)";
  if ((rc = set_meta(w, ins_run, "command_line", command_line)) ||
      (rc = set_meta(w, ins_run, "host", host)) ||
      (rc = set_meta(w, ins_run, "pid", pid)) ||
      (rc = set_meta(w, ins_run, "start_time", nowbuf)) ||
      (rc = set_meta(w, ins_run, "status", "running")) ||
      (rc = set_meta(w, ins_run, "heartbeat", nowbuf)) ||
      (rc = set_meta(w, ins_run, "end_time", NULL)) ||
      (rc = exec_sql(w, "DELETE FROM run WHERE key = 'error'")))
    goto out;
  rc = exec_sql(w, "COMMIT");
out:
  if (rc)
    sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

/* Loads existing tags and id counters so a resumed run keeps appending. */
static int load_state(lm_writer *w) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(w->db, "SELECT id, name, kind FROM tags", -1,
                              &st, NULL);
  uint32_t max_id = 0;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    uint32_t id = (uint32_t)sqlite3_column_int64(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *kind = (const char *)sqlite3_column_text(st, 2);
    if (id > max_id)
      max_id = id;
    for (int k = 0; name && kind && k < LM_TAG_N_KINDS; k++)
      if (strcmp(kind, lm_tag_kind_name((lm_tag_kind)k)) == 0 &&
          lm_tag_table_insert(&w->tags, name, (lm_tag_kind)k, id) != LM_OK)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_NOMEM)
      break;
    rc = SQLITE_OK;
  }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize(st);
  w->next_tag_id = max_id + 1;
  int r2, r3;
  w->next_graph_id =
      query_int(w->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM graphs", &r2);
  w->next_trace_id =
      query_int(w->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM traces", &r3);
  if (rc == SQLITE_OK)
    rc = r2 ? r2 : r3;
  if (rc != SQLITE_OK)
    return lm_fail(NULL, lm_error_from_sqlite(w->db, rc),
                   "run file '%s': %s", w->path, lm_sqlite_errmsg(w->db));
  return LM_OK;
}

/* ----------------------------------------------------------- open/close */

static void writer_free(lm_writer *w) {
  if (!w)
    return;
  if (w->ring) {
    for (uint64_t i = w->tail; i < w->head; i++) {
      lm_rec *r = &w->ring[i & w->mask];
      if (r->kind != LM_REC_SCALAR)
        lm_payload_free(r->kind, r->u.payload);
    }
  }
  lm_store_finalize(w);
  if (w->db)
    sqlite3_close(w->db);
  if (w->lock_fd >= 0)
    release_lock(w);
  lm_tag_table_clear(&w->tags);
  free(w->ring);
  free(w->sums);
  free(w->logdir);
  free(w->run_name);
  free(w->run_dir);
  free(w->path);
  free(w->lock_path);
  pthread_mutex_destroy(&w->mu);
  pthread_mutex_destroy(&w->err_mu);
  pthread_cond_destroy(&w->work_cond);
  pthread_cond_destroy(&w->space_cond);
  pthread_cond_destroy(&w->done_cond);
  free(w);
}

static size_t round_pow2(size_t n) {
  size_t p = 16;
  while (p < n && p < ((size_t)1 << 30))
    p <<= 1;
  return p;
}

int lm_writer_check_run_name(const char *run_name) {
  return check_run_name(run_name);
}

int lm_writer_open(lm_writer **out, const char *logdir, const char *run_name) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = logdir;
  o.run_name = run_name;
  return lm_writer_open_with(out, &o);
}

int lm_writer_open_with(lm_writer **out, const lm_writer_options *opts) {
  if (!out)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "out (lm_writer **) is NULL");
  *out = NULL;
  lm_writer_options o;
  lm_writer_options_init(&o);
  if (opts)
    o = *opts;
  const char *logdir = o.logdir ? o.logdir : "runs";
  if (!*logdir)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "logdir is empty (use \".\" for the current directory)");
  int rc;
  if (o.comment && (rc = lm_check_text(NULL, "comment", o.comment, true)))
    return rc;
  if (o.run_name && (rc = check_run_name(o.run_name)))
    return rc;
  if (o.command_line &&
      (rc = lm_check_text(NULL, "command_line", o.command_line, true)))
    return rc;

  lm_writer *w = calloc(1, sizeof *w);
  if (!w)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  w->lock_fd = -1;
  w->owner_pid = (long)getpid();
  pthread_mutex_init(&w->mu, NULL);
  pthread_mutex_init(&w->err_mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->work_cond, &ca);
  pthread_cond_init(&w->done_cond, &ca); /* timed waits at exit */
  pthread_condattr_destroy(&ca);
  pthread_cond_init(&w->space_cond, NULL);
  w->flush_interval_ms = o.flush_interval_ms ? o.flush_interval_ms : 250;
  w->max_image_bytes = o.max_image_bytes ? o.max_image_bytes
                                         : LM_DEFAULT_IMAGE_BYTES;
  w->max_video_bytes = o.max_video_bytes ? o.max_video_bytes
                                         : LM_DEFAULT_VIDEO_BYTES;
  w->max_mesh_bytes = o.max_mesh_bytes ? o.max_mesh_bytes
                                       : LM_DEFAULT_MESH_BYTES;
  w->queue_max_bytes = o.queue_max_bytes ? o.queue_max_bytes
                                         : LM_DEFAULT_QUEUE_BYTES;
  w->quiet = o.quiet;
  w->purge = o.purge;
  w->purge_step = o.purge_step;
  w->cap = round_pow2(o.queue_capacity ? o.queue_capacity
                                       : LM_DEFAULT_QUEUE_CAPACITY);
  w->mask = w->cap - 1;
  w->ring = malloc(w->cap * sizeof *w->ring);
  w->logdir = strdup(logdir);
  for (size_t len = w->logdir ? strlen(w->logdir) : 0;
       len > 1 && w->logdir[len - 1] == '/';)
    w->logdir[--len] = '\0'; /* "runs/" names the same place as "runs" */
  char *cmd = o.command_line ? strdup(o.command_line) : read_command_line();
  if (!w->ring || !w->logdir || !cmd) {
    free(cmd);
    writer_free(w);
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }

  /* Resolve the run name.  A default name that is taken gets "_2", "_3"
   * so two runs started in the same second stay apart. */
  if (o.run_name) {
    w->run_name = strdup(o.run_name);
    size_t len = w->run_name ? strlen(w->run_name) : 0;
    while (len > 1 && w->run_name[len - 1] == '/')
      w->run_name[--len] = '\0';
  } else {
    if ((rc = claim_default_name(w->logdir, o.comment, &w->run_name))) {
      free(cmd);
      writer_free(w);
      return rc;
    }
  }
  if (w->run_name) {
    w->run_dir = str_printf("%s/%s", w->logdir, w->run_name);
    w->path = w->run_dir ? str_printf("%s/run.lumen", w->run_dir) : NULL;
    w->lock_path = w->path ? str_printf("%s.lock", w->path) : NULL;
  }
  if (!w->lock_path) {
    free(cmd);
    writer_free(w);
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }

  if ((rc = mkdir_p(w->run_dir)) || (rc = take_lock(w))) {
    free(cmd);
    writer_free(w);
    return rc;
  }
  int src = sqlite3_open_v2(w->path, &w->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                SQLITE_OPEN_NOMUTEX,
                            NULL);
  char err[256] = "";
  if (src != SQLITE_OK) {
    rc = lm_fail(NULL, lm_error_from_sqlite(w->db, src),
                 "cannot open run file '%s': %s", w->path,
                 w->db ? lm_sqlite_errmsg(w->db) : sqlite3_errstr(src));
  } else if ((src = lm_schema_configure(w->db, err, sizeof err)) !=
             SQLITE_OK) {
    rc = lm_error_from_sqlite(w->db, src);
    if (rc == LM_ERR_FORMAT || rc == LM_ERR_SQLITE)
      rc = lm_fail(NULL, LM_ERR_FORMAT, "'%s' is not a Lumen run file: %s",
                   w->path, err);
    else
      rc = lm_fail(NULL, rc, "cannot open run file '%s': %s", w->path, err);
  } else if ((rc = init_file(w, cmd)) == LM_OK &&
             (rc = load_state(w)) == LM_OK) {
    if (lm_store_prepare(w, err, sizeof err) != SQLITE_OK)
      rc = lm_fail(NULL, LM_ERR_SQLITE, "run file '%s': %s", w->path, err);
  }
  free(cmd);
  if (rc == LM_OK) {
    if (pthread_create(&w->thread, NULL, lm_writer_thread_main, w) != 0)
      rc = lm_fail(NULL, LM_ERR_NOMEM, "cannot start the writer thread");
    else
      w->thread_started = true;
  }
  if (rc != LM_OK) {
    writer_free(w);
    return rc;
  }
  pthread_mutex_lock(&locked_mu);
  w->open = true; /* from now on the exit handler closes it if nobody does */
  pthread_mutex_unlock(&locked_mu);
  *out = w;
  return LM_OK;
}

static char *kv_value(double v) { return str_printf("%.6f", v); }

/* After a background fault (a full disk) the queued status and end time
 * were dropped with the rest, and the run said 'running' for ever (the app
 * showed it 'crashed').  Once the writer thread is gone, one small
 * transaction of its own records them: 'failed' unless the program chose a
 * status, and the fault as `error`, which the app shows beside the status.
 * A disk still full leaves the run as it was.  Keeps this thread's last
 * error message, which must stay the fault's. */
static void mark_run_after_fault(lm_writer *w, const char *end) {
  if (!w->bg_error || !w->db)
    return;
  char saved[512];
  snprintf(saved, sizeof saved, "%s", lm_log_last_error());
  static const char ins_run[] =
      "INSERT OR REPLACE INTO run(key, value) VALUES (?1, ?2)";
  sqlite3_busy_timeout(w->db, 250);
  if (exec_sql(w, "BEGIN IMMEDIATE") == LM_OK) {
    if (set_meta(w, ins_run, "status",
                 w->status_chosen ? w->status_chosen : "failed") ||
        set_meta(w, ins_run, "error", w->bg_msg) ||
        (end && set_meta(w, ins_run, "end_time", end)) ||
        exec_sql(w, "COMMIT"))
      sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  }
  lm_fail(NULL, LM_OK, "%s", saved);
}

/* A run key/value payload; NULL value stores SQL NULL. */
static lm_kv_payload *kv_payload_new(const char *key, const char *value) {
  size_t kl = strlen(key) + 1, vl = value ? strlen(value) + 1 : 0;
  lm_kv_payload *p = malloc(sizeof *p + kl + vl);
  if (!p)
    return NULL;
  p->hdr.bytes = sizeof *p + kl + vl;
  p->key = (char *)(p + 1);
  memcpy(p->key, key, kl);
  p->value = value ? p->key + kl : NULL;
  if (value)
    memcpy(p->value, value, vl);
  return p;
}

/* Queues a run key/value. */
static int queue_kv(lm_writer *w, const char *key, const char *value) {
  lm_kv_payload *p = kv_payload_new(key, value);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory");
  return lm_queue_payload(w, LM_REC_RUN_KV, NULL, 0, 0, 0, p);
}

int lm_writer_set_status(lm_writer *w, lm_run_status status) {
  static const char *const names[] = {"running", "finished", "failed",
                                      "stopped"};
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if ((unsigned)status > LM_RUN_STOPPED)
    return lm_fail(w, LM_ERR_INVALID_ARG, "unknown run status %d",
                   (int)status);
  pthread_mutex_lock(&w->mu);
  w->status_set = status != LM_RUN_RUNNING;
  w->status_chosen = status != LM_RUN_RUNNING ? names[status] : NULL;
  pthread_mutex_unlock(&w->mu);
  return queue_kv(w, "status", names[status]);
}

int lm_writer_set_error(lm_writer *w, const char *message) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!message || !*message)
    return lm_fail(w, LM_ERR_INVALID_ARG, "run error message is empty");
  return queue_kv(w, "error", message);
}

int lm_writer_flush(lm_writer *w) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  pthread_mutex_lock(&w->mu);
  if (w->forked) {
    int rc = lm_fail_forked_locked(w);
    pthread_mutex_unlock(&w->mu);
    return rc;
  }
  uint64_t target = w->head;
  if (target > w->flush_target)
    w->flush_target = target;
  pthread_cond_signal(&w->work_cond);
  while (w->committed < target && !w->bg_error)
    pthread_cond_wait(&w->done_cond, &w->mu);
  int rc = LM_OK;
  if (w->bg_error)
    rc = lm_fail(w, w->bg_error, "%s", w->bg_msg);
  pthread_mutex_unlock(&w->mu);
  return rc;
}

void lm_writer_get_stats(lm_writer *w, lm_writer_stats *stats) {
  if (!w || !stats)
    return;
  pthread_mutex_lock(&w->mu);
  stats->records = w->records;
  stats->commits = w->commits;
  stats->queue_waits = w->queue_waits;
  stats->queue_wait_ns = w->queue_wait_ns;
  pthread_mutex_unlock(&w->mu);
}

int lm_writer_close(lm_writer *w) { return lm_writer_close_stats(w, NULL); }

int lm_writer_close_stats(lm_writer *w, lm_writer_stats *stats) {
  if (!w)
    return LM_OK;
  pthread_mutex_lock(&w->mu);
  bool forked = w->forked;
  int frc = forked ? lm_fail_forked_locked(w) : LM_OK;
  pthread_mutex_unlock(&w->mu);
  if (forked) /* the parent's: nothing here may be freed or closed */
    return frc;
  if (!claim_close(w)) {
    /* The exit handler closed it (exit() on another thread): what it
     * could commit is in the file; w stays allocated until the end. */
    int rc = LM_OK;
    pthread_mutex_lock(&w->mu);
    if (w->bg_error)
      rc = lm_fail(w, w->bg_error, "%s", w->bg_msg);
    pthread_mutex_unlock(&w->mu);
    if (stats)
      lm_writer_get_stats(w, stats);
    return rc;
  }
  /* Everything logged so far first, so queue_waits below is final. */
  lm_writer_flush(w);
  lm_writer_stats st;
  lm_writer_get_stats(w, &st);
  char *end = kv_value(lm_now());
  char waits[32];
  snprintf(waits, sizeof waits, "%llu", (unsigned long long)st.queue_waits);
  pthread_mutex_lock(&w->mu);
  bool status_set = w->status_set;
  pthread_mutex_unlock(&w->mu);
  if (!status_set)
    queue_kv(w, "status", "finished");
  queue_kv(w, "queue_waits", waits);
  if (end)
    queue_kv(w, "end_time", end);
  free(end);

  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->work_cond);
  pthread_mutex_unlock(&w->mu);
  if (w->thread_started)
    pthread_join(w->thread, NULL);
  end = kv_value(lm_now());
  mark_run_after_fault(w, end);
  free(end);

  int rc = LM_OK;
  if (w->bg_error)
    rc = lm_fail(w, w->bg_error, "%s", w->bg_msg);
  /* the user's records and waits, not those of close's own records (which
   * can wait too with a tiny queue): the same numbers as in the file */
  uint64_t logged = st.records, waits_n = st.queue_waits, waits_ns = st.queue_wait_ns;
  lm_writer_get_stats(w, &st);   /* now final: includes the last commit */
  st.records = logged;
  st.queue_waits = waits_n;
  st.queue_wait_ns = waits_ns;
  if (stats)
    *stats = st;
  if (st.queue_waits && !w->quiet)
    fprintf(stderr,
            "lumen-log: run '%s': logging calls waited %llu times (%.1f ms "
            "in all) for a full queue; a larger queue_capacity avoids it\n",
            w->run_name, (unsigned long long)st.queue_waits,
            (double)st.queue_wait_ns * 1e-6);
  /* Every row into run.lumen and the WAL emptied, even while a reader
   * (lumen) has the run open: closing the last connection does this and
   * deletes -wal and -shm, but a writer that is not the last one closes
   * without a checkpoint, and a read-only one cannot checkpoint, so the
   * run's rows would stay in the -wal.  A reader in the middle of a read
   * is waited for briefly; failing that, the rows stay in the WAL (safe). */
  if (w->db) {
    sqlite3_busy_timeout(w->db, 250);
    sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  }
  writer_free(w);
  return rc;
}

const char *lm_writer_run_name(lm_writer *w) { return w ? w->run_name : NULL; }
const char *lm_writer_run_dir(lm_writer *w) { return w ? w->run_dir : NULL; }
const char *lm_writer_file_path(lm_writer *w) { return w ? w->path : NULL; }

/* ------------------------------------------------------------ at exit */

/* A writer still open when the process exits (exit(), a return from main,
 * the engine's default error handler) would keep only what its last timed
 * commit held, and say 'running'.  This ELF destructor runs after the
 * program's own atexit() handlers (which may close writers themselves),
 * commits every queued row, and marks the run 'failed' unless the program
 * chose a status: in C, reaching exit with a writer open is almost always
 * an error path, as a Python script ending in an exception is.  Nothing
 * here waits on a writer thread that makes no progress for
 * LM_EXIT_STALL_NS; such a run keeps what was committed before. */
#define LM_EXIT_STALL_NS 5000000000ull

static uint64_t exit_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits until `done` says so, while the writer thread makes progress
 * (stores or commits records) at least every LM_EXIT_STALL_NS.  Must hold
 * w->mu.  False if it stalled. */
static bool exit_wait_locked(lm_writer *w, bool (*done)(lm_writer *)) {
  uint64_t tail = w->tail, committed = w->committed;
  uint64_t deadline = exit_mono_ns() + LM_EXIT_STALL_NS;
  while (!done(w)) {
    struct timespec ts = {(time_t)(deadline / 1000000000u),
                          (long)(deadline % 1000000000u)};
    int rc = pthread_cond_timedwait(&w->done_cond, &w->mu, &ts);
    if (w->tail != tail || w->committed != committed) {
      tail = w->tail, committed = w->committed;
      deadline = exit_mono_ns() + LM_EXIT_STALL_NS;
    } else if (rc == ETIMEDOUT && !done(w)) {
      return false;
    }
  }
  return true;
}

static bool exit_flushed(lm_writer *w) {
  return w->committed >= w->flush_target || w->bg_error || w->thread_exited;
}

static bool exit_thread_done(lm_writer *w) { return w->thread_exited; }

/* Asks the thread to commit everything queued so far; must hold w->mu. */
static bool exit_flush_locked(lm_writer *w) {
  if (w->head > w->flush_target)
    w->flush_target = w->head;
  pthread_cond_signal(&w->work_cond);
  return exit_wait_locked(w, exit_flushed);
}

/* Queues a run key/value without waiting for room (the queue has just
 * been drained; if another thread filled it meanwhile, the value is
 * dropped rather than the exit hung).  Must hold w->mu. */
static void exit_queue_kv_locked(lm_writer *w, const char *key,
                                 const char *value) {
  lm_kv_payload *p = kv_payload_new(key, value);
  if (!p || w->stopping || w->bg_error || w->head - w->tail >= w->cap) {
    free(p);
    return;
  }
  lm_rec r = {.kind = LM_REC_RUN_KV};
  r.u.payload = p;
  lm_queue_push_locked(w, &r);
  w->records--; /* bookkeeping, not a logged record */
}

static void close_at_exit(lm_writer *w) {
  char *end = kv_value(lm_now());
  pthread_mutex_lock(&w->mu);
  bool ok = exit_flush_locked(w);
  if (ok) {
    char waits[32];
    snprintf(waits, sizeof waits, "%llu",
             (unsigned long long)w->queue_waits);
    if (!w->status_set)
      exit_queue_kv_locked(w, "status", "failed");
    exit_queue_kv_locked(w, "queue_waits", waits);
    if (end)
      exit_queue_kv_locked(w, "end_time", end);
    ok = exit_flush_locked(w);
  }
  /* Calls on other threads from now on fail with LM_ERR_CLOSED. */
  w->stopping = true;
  pthread_cond_signal(&w->work_cond);
  if (ok)
    ok = exit_wait_locked(w, exit_thread_done);
  pthread_mutex_unlock(&w->mu);
  free(end);
  if (!ok) {
    if (!w->quiet)
      fprintf(stderr,
              "lumen-log: run '%s': the writer made no progress for %llu s "
              "at exit; rows logged after its last commit are lost\n",
              w->run_name, LM_EXIT_STALL_NS / 1000000000ull);
    return;
  }
  /* The thread is done: closing the connection folds the WAL into the
   * run file as lm_writer_close does.  w itself stays allocated (and
   * listed) for other threads that may still hold it. */
  pthread_join(w->thread, NULL);
  w->thread_started = false;
  if (!w->status_set)
    w->status_chosen = "failed";
  end = kv_value(lm_now());
  mark_run_after_fault(w, end);
  free(end);
  lm_store_finalize(w);
  sqlite3_close(w->db);
  w->db = NULL;
}

__attribute__((destructor)) static void close_writers_at_exit(void) {
  pthread_mutex_lock(&locked_mu);
  lm_writer **todo = n_locked ? malloc(n_locked * sizeof *todo) : NULL;
  size_t n = 0;
  for (size_t i = 0; todo && i < n_locked; i++)
    if (locked[i]->open && !locked[i]->closing) {
      locked[i]->closing = true;
      todo[n++] = locked[i];
    }
  pthread_mutex_unlock(&locked_mu);
  for (size_t i = 0; i < n; i++)
    close_at_exit(todo[i]);
  free(todo);
}
