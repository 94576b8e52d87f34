/* test-log-audio.c: audio clips (lm_writer_add_audio, _label, _wav): the
 * WAV bytes PyTorch's add_audio would store, the rows, stereo
 * interleaving, WAV files stored as given, an older file getting the
 * table, purge_step, and bad input refused by name with nothing logged. */
#include <math.h>

#include "../wav-test-util.h"
#include "log-test-util.h"

/* The blob of the audio row `id` into *len (g_free it). */
static guint8 *audio_blob(sqlite3 *db, gint64 id, gsize *len) {
  char *sql = g_strdup_printf("SELECT wav FROM audio WHERE id = %" G_GINT64_FORMAT, id);
  sqlite3_stmt *st = db_query(db, sql);
  g_free(sql);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  *len = (gsize)sqlite3_column_bytes(st, 0);
  guint8 *b = g_memdup2(sqlite3_column_blob(st, 0), *len);
  sqlite3_finalize(st);
  return b;
}

static gint16 le16(const guint8 *p) { return (gint16)(p[0] | p[1] << 8); }
static guint32 le32(const guint8 *p) {
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32)p[3] << 24;
}

/* Exactly the bytes torch.utils.tensorboard.summary.audio (PyTorch 1.13)
 * makes of this clip at 16000 Hz: produced with /usr/bin/python3 by
 * running summary.audio's own code (make_np, clip, * 32767 in float32,
 * astype('<i2'), the wave module) on
 * torch.tensor([[0.5, -1.0, 1.5, 0.25, -0.5, 0.0, 1.0, -0.3, 0.7, -1.7,
 * 0.99999, -0.00001]]).  0.5 -> 16383 (truncated), -1 -> -32767,
 * 1.5 -> 32767 (clipped), -1.7 -> -32767. */
static const float torch_clip[12] = {0.5f, -1.0f, 1.5f,  0.25f, -0.5f,    0.0f,
                                     1.0f, -0.3f, 0.7f,  -1.7f, 0.99999f, -0.00001f};
static const guint8 torch_wav[68] = {
    0x52, 0x49, 0x46, 0x46, 0x3c, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
    0x66, 0x6d, 0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x80, 0x3e, 0x00, 0x00, 0x00, 0x7d, 0x00, 0x00, 0x02, 0x00, 0x10, 0x00,
    0x64, 0x61, 0x74, 0x61, 0x18, 0x00, 0x00, 0x00, 0xff, 0x3f, 0x01, 0x80,
    0xff, 0x7f, 0xff, 0x1f, 0x01, 0xc0, 0x00, 0x00, 0xff, 0x7f, 0x9a, 0xd9,
    0x98, 0x59, 0x01, 0x80, 0xfe, 0x7f, 0x00, 0x00};

static void test_pytorch_bytes(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "run");
  assert_ok(lm_writer_add_audio(w, "speech/sample", 7, torch_clip, 12, 1,
                                16000));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  char *kind = db_text(db, "SELECT kind FROM tags WHERE name = 'speech/sample'");
  g_assert_cmpstr(kind, ==, "audio");
  g_free(kind);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM audio"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT step FROM audio"), ==, 7);
  g_assert_cmpfloat(db_double(db, "SELECT sample_rate FROM audio"), ==, 16000);
  g_assert_cmpint(db_int(db, "SELECT channels FROM audio"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT frames FROM audio"), ==, 12);
  g_assert_cmpint(db_int(db, "SELECT label IS NULL FROM audio"), ==, 1);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM audio"), >, 1.6e9);
  gsize len;
  guint8 *b = audio_blob(db, 1, &len);
  g_assert_cmpmem(b, len, torch_wav, sizeof torch_wav);
  g_free(b);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* NaN is silence and the other samples are still clipped.  (PyTorch's
 * summary.audio skips its clip when a NaN makes abs(x).max() NaN, so 1.5
 * wraps to -16386 there, and casts NaN to an undefined int16: not
 * copied.) */
static void test_nan_and_stereo(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "run");
  const float mono[4] = {NAN, 1.5f, -INFINITY, 0.5f};
  assert_ok(lm_writer_add_audio(w, "nan", 0, mono, 4, 1, 44100));
  /* three stereo frames, left then right: (0.5, -0.5) (1, -1) (0, 0.25) */
  const float stereo[6] = {0.5f, -0.5f, 1.0f, -1.0f, 0.0f, 0.25f};
  assert_ok(lm_writer_add_audio_label(w, "stereo", 3, stereo, 3, 2, 22050.5,
                                      "**left** / right"));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  gsize len;
  guint8 *b = audio_blob(db, 1, &len);
  g_assert_cmpuint(len, ==, 44 + 8);
  g_assert_cmpint(le16(b + 44), ==, 0);
  g_assert_cmpint(le16(b + 46), ==, 32767);
  g_assert_cmpint(le16(b + 48), ==, -32767);
  g_assert_cmpint(le16(b + 50), ==, 16383);
  g_assert_cmpuint(le32(b + 24), ==, 44100);
  g_free(b);

  b = audio_blob(db, 2, &len);
  g_assert_cmpuint(len, ==, 44 + 12);
  g_assert_cmpmem(b, 4, "RIFF", 4);
  g_assert_cmpuint(le32(b + 4), ==, 36 + 12);
  g_assert_cmpint(le16(b + 22), ==, 2);          /* channels */
  g_assert_cmpuint(le32(b + 24), ==, 22050);     /* rate, rounded as wave does */
  g_assert_cmpuint(le32(b + 28), ==, 22050 * 4); /* byte rate */
  g_assert_cmpint(le16(b + 32), ==, 4);          /* block align */
  g_assert_cmpuint(le32(b + 40), ==, 12);
  const gint16 want[6] = {16383, -16383, 32767, -32767, 0, 8191};
  for (int i = 0; i < 6; i++)
    g_assert_cmpint(le16(b + 44 + 2 * i), ==, want[i]);
  g_free(b);
  g_assert_cmpfloat(db_double(db, "SELECT sample_rate FROM audio WHERE id = 2"),
                    ==, 22050.5);
  g_assert_cmpint(db_int(db, "SELECT channels FROM audio WHERE id = 2"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT frames FROM audio WHERE id = 2"), ==, 3);
  char *label = db_text(db, "SELECT label FROM audio WHERE id = 2");
  g_assert_cmpstr(label, ==, "**left** / right");
  g_free(label);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A WAV file is stored byte for byte; its header gives the row. */
static void test_wav_as_given(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "run");
  const float f[4] = {0.25f, -0.75f, 1.0f, 0.0f};
  GBytes *fl = wav_build(3, 32, 2, 48000, f, sizeof f, FALSE, TRUE);
  const guint8 s24[9] = {0, 0, 0x40, 0xff, 0xff, 0xff, 0, 0, 0x80};
  GBytes *ext = wav_build(1, 24, 1, 8000, s24, sizeof s24, TRUE, FALSE);
  gsize fl_len, ext_len;
  const guint8 *fl_b = g_bytes_get_data(fl, &fl_len);
  const guint8 *ext_b = g_bytes_get_data(ext, &ext_len);
  assert_ok(lm_writer_add_audio_wav(w, "tf/float", 1, fl_b, fl_len, NULL));
  assert_ok(lm_writer_add_audio_wav(w, "tf/ext24", 2, ext_b, ext_len, "x"));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpfloat(db_double(db, "SELECT sample_rate FROM audio WHERE id = 1"),
                    ==, 48000);
  g_assert_cmpint(db_int(db, "SELECT channels FROM audio WHERE id = 1"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT frames FROM audio WHERE id = 1"), ==, 2);
  g_assert_cmpfloat(db_double(db, "SELECT sample_rate FROM audio WHERE id = 2"),
                    ==, 8000);
  g_assert_cmpint(db_int(db, "SELECT channels FROM audio WHERE id = 2"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT frames FROM audio WHERE id = 2"), ==, 3);
  gsize len;
  guint8 *b = audio_blob(db, 1, &len);
  g_assert_cmpmem(b, len, fl_b, fl_len);
  g_free(b);
  b = audio_blob(db, 2, &len);
  g_assert_cmpmem(b, len, ext_b, ext_len);
  g_free(b);
  sqlite3_close(db);
  g_bytes_unref(fl);
  g_bytes_unref(ext);
  g_free(path);
  tmpdir_free(dir);
}

/* A WAV built by wav_build with one header field overwritten. */
static GBytes *wav_patched(gsize off, const void *bytes, gsize n) {
  const gint16 s[2] = {1, 2};
  GBytes *g = wav_build(1, 16, 1, 16000, s, sizeof s, FALSE, FALSE);
  gsize len;
  guint8 *b = g_bytes_unref_to_data(g, &len);
  memcpy(b + off, bytes, n);
  return g_bytes_new_take(b, len);
}

static void assert_wav_refused(lm_writer *w, GBytes *wav, gsize size,
                               const char *needle) {
  assert_fails(lm_writer_add_audio_wav(w, "bad", 0, g_bytes_get_data(wav, NULL),
                                       size, NULL),
               LM_ERR_INVALID_ARG, needle);
  g_bytes_unref(wav);
}

static void test_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  const float s[4] = {0};
  assert_fails(lm_writer_add_audio(NULL, "a", 0, s, 4, 1, 44100),
               LM_ERR_INVALID_ARG, "writer is NULL");
  assert_fails(lm_writer_add_audio(w, NULL, 0, s, 4, 1, 44100),
               LM_ERR_INVALID_ARG, "tag is NULL");
  assert_fails(lm_writer_add_audio(w, "a", 0, NULL, 4, 1, 44100),
               LM_ERR_INVALID_ARG, "audio 'a': samples is NULL");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 0, 1, 44100),
               LM_ERR_INVALID_ARG, "frames is 0, must be > 0");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, -3, 1, 44100),
               LM_ERR_INVALID_ARG, "frames is -3");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 4, 0, 44100),
               LM_ERR_INVALID_ARG, "channels is 0, must be 1..8");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 1, 9, 44100),
               LM_ERR_INVALID_ARG, "channels is 9, must be 1..8");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 4, 1, 0),
               LM_ERR_INVALID_ARG, "sample_rate is 0");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 4, 1, -8000),
               LM_ERR_INVALID_ARG, "sample_rate is -8000");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 4, 1, NAN),
               LM_ERR_INVALID_ARG, "sample_rate is nan");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 4, 1, INFINITY),
               LM_ERR_INVALID_ARG, "sample_rate is inf");
  /* the WAV header's byte rate (rate x channels x 2) is a 32-bit field:
   * Python's wave (so add_audio) raises struct.error past 4294967295;
   * it was written wrapped (3e9 x 2 x 2 as 3115098112) */
  assert_fails(lm_writer_add_audio(w, "a", 0, s, 2, 2, 3e9),
               LM_ERR_INVALID_ARG,
               "sample_rate 3e+09 Hz x 2 channels x 2 bytes is over the WAV "
               "header's byte rate limit of 4294967295 a second");
  assert_fails(lm_writer_add_audio(w, "a", 0, s, (gint64)1 << 40, 2, 44100),
               LM_ERR_TOO_LARGE, "over 1000000000 bytes");
  assert_fails(lm_writer_add_audio_label(w, "a", 0, s, 4, 1, 44100, "\xff"),
               LM_ERR_UTF8, "label is not valid UTF-8");

  assert_fails(lm_writer_add_audio_wav(w, "bad", 0, NULL, 10, NULL),
               LM_ERR_INVALID_ARG, "audio 'bad': WAV data is NULL");
  const char png[] = "\x89PNG\r\n\x1a\n0000000000000000";
  assert_fails(lm_writer_add_audio_wav(w, "bad", 0, png, sizeof png, NULL),
               LM_ERR_INVALID_ARG, "not a WAV file");
  const gint16 pcm[2] = {1, 2};
  GBytes *ok = wav_build(1, 16, 1, 16000, pcm, sizeof pcm, FALSE, FALSE);
  gsize full = g_bytes_get_size(ok);
  /* cut inside the samples, inside the fmt chunk, before any chunk */
  assert_wav_refused(w, g_bytes_ref(ok), full - 1,
                     "WAV is truncated: data chunk says 4 bytes, 3 present");
  assert_wav_refused(w, g_bytes_ref(ok), 30,
                     "WAV is truncated: fmt chunk of 16 bytes, 10 left");
  assert_wav_refused(w, g_bytes_ref(ok), 12, "WAV has no fmt chunk");
  g_bytes_unref(ok);
  const guint8 adpcm[2] = {2, 0}, ch0[2] = {0, 0}, ch9[2] = {9, 0};
  const guint8 bits12[2] = {12, 0}, rate0[4] = {0}, align3[2] = {3, 0};
  assert_wav_refused(w, wav_patched(20, adpcm, 2), full,
                     "WAV format tag is 0x0002; only PCM (1) and IEEE float");
  assert_wav_refused(w, wav_patched(22, ch0, 2), full,
                     "WAV has 0 channels, must be 1..8");
  assert_wav_refused(w, wav_patched(22, ch9, 2), full,
                     "WAV has 9 channels");
  assert_wav_refused(w, wav_patched(34, bits12, 2), full,
                     "WAV PCM has 12 bits per sample");
  assert_wav_refused(w, wav_patched(24, rate0, 4), full,
                     "WAV sample rate is 0");
  assert_wav_refused(w, wav_patched(32, align3, 2), full,
                     "WAV block align is 3, expected 2");
  assert_wav_refused(w, wav_patched(36, "junk", 4), full,
                     "WAV has no data chunk");
  /* an empty clip is refused as add_audio's frames 0 is (it was stored,
   * a row of 0 frames) */
  assert_wav_refused(w, wav_build(1, 16, 1, 16000, pcm, 0, FALSE, FALSE),
                     full - 4,
                     "audio 'bad': the WAV has no samples (its data chunk is "
                     "empty)");
  const float f64[1] = {0};
  assert_wav_refused(w, wav_build(3, 64, 1, 8000, f64, 4, FALSE, FALSE),
                     full,
                     "WAV float has 64 bits per sample; 32 is supported");

  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM audio"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 0);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A run file from before audio gets the table when reopened, and
 * purge_step drops the clips of the steps it drops. */
static void test_old_file_and_purge(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "DROP TABLE audio");
  lm_writer *w = writer_open(dir, "old");
  const float s[2] = {0.5f, -0.5f};
  for (int step = 0; step < 5; step++)
    assert_ok(lm_writer_add_audio(w, "a", step, s, 2, 1, 8000));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM audio"), ==, 5);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                             "name = 'audio_tag_step'"),
                  ==, 1);
  sqlite3_close(db);

  writer_purge(dir, "old", 3);
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM audio"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT max(step) FROM audio"), ==, 2);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/audio/pytorch-bytes", test_pytorch_bytes);
  g_test_add_func("/logging/audio/nan-and-stereo", test_nan_and_stereo);
  g_test_add_func("/logging/audio/wav-as-given", test_wav_as_given);
  g_test_add_func("/logging/audio/bad-input", test_bad_input);
  g_test_add_func("/logging/audio/old-file-and-purge", test_old_file_and_purge);
  return g_test_run();
}
