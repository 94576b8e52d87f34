/* test-loader.c: the data loader: batch sizes, drop_last, normalisation,
 * layouts, seeded shuffling (same seed and epoch, same order; every example
 * once per epoch), seek for resume, and flat memory over many epochs.
 */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-train.h"

/* n images of 2x3 pixels: pixel k of image i is (i * 6 + k) % 256; label i % 4 */
static lm_dataset *make_ds(int n)
{
  uint8_t *px = g_malloc((size_t)n * 6);
  int64_t *lab = g_malloc((size_t)n * sizeof *lab);
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < 6; k++)
      px[i * 6 + k] = (uint8_t)((i * 6 + k) % 256);
    lab[i] = i % 4;
  }
  lm_dataset *ds = lm_dataset_from_memory(px, lab, n, 1, 2, 3, 4, NULL);
  g_free(px);
  g_free(lab);
  return ds;
}

static void test_batches(void)
{
  lm_dataset *ds = make_ds(10);
  lm_loader_options o;
  lm_loader_options_init(&o);
  g_assert_cmpint(o.batch_size, ==, 64);
  o.batch_size = 4;
  lm_loader *l = lm_loader_new(ds, &o);
  g_assert_cmpint(lm_loader_num_batches(l), ==, 3);
  g_assert_cmpint(lm_loader_num_examples(l), ==, 10);
  int64_t sizes[3], seen = 0;
  int nb = 0;
  lm_batch b;
  lm_scope_begin();
  while (lm_loader_next(l, &b)) {
    g_assert_cmpint(b.index, ==, nb);
    sizes[nb++] = b.size;
    g_assert_cmpint(b.x->ndim, ==, 4);
    g_assert_cmpint(b.x->shape[0], ==, b.size);
    g_assert_cmpint(b.x->shape[1], ==, 1);
    g_assert_cmpint(b.x->shape[2], ==, 2);
    g_assert_cmpint(b.x->shape[3], ==, 3);
    g_assert_cmpint(b.y->dtype, ==, LM_INT64);
    /* unshuffled: in order; x = byte / 255 (ToTensor) */
    const float *x = lm_data_f32(b.x);
    const int64_t *y = lm_data_i64(b.y);
    for (int64_t i = 0; i < b.size; i++) {
      int64_t ex = seen + i;
      g_assert_cmpint(b.indices[i], ==, ex);
      g_assert_cmpint(y[i], ==, ex % 4);
      for (int k = 0; k < 6; k++)
        g_assert_cmpfloat_with_epsilon(x[i * 6 + k], (float)((ex * 6 + k) % 256) / 255.0f, 1e-7);
    }
    seen += b.size;
  }
  lm_scope_end();
  g_assert_cmpint(nb, ==, 3);
  g_assert_cmpint(sizes[0], ==, 4);
  g_assert_cmpint(sizes[2], ==, 2); /* the last, incomplete batch is kept */
  g_assert_false(lm_loader_next(l, &b)); /* stays at the end until a new epoch */
  lm_loader_free(l);

  o.drop_last = true;
  o.flatten = true;
  l = lm_loader_new(ds, &o);
  g_assert_cmpint(lm_loader_num_batches(l), ==, 2);
  g_assert_cmpint(lm_loader_num_examples(l), ==, 8);
  nb = 0;
  lm_scope_begin();
  while (lm_loader_next(l, &b)) {
    g_assert_cmpint(b.size, ==, 4);
    g_assert_cmpint(b.x->ndim, ==, 2);
    g_assert_cmpint(b.x->shape[1], ==, 6);
    nb++;
  }
  lm_scope_end();
  g_assert_cmpint(nb, ==, 2);
  lm_loader_free(l);
  lm_dataset_release(ds);
}

static void test_normalise(void)
{
  lm_dataset *ds = make_ds(3);
  lm_loader_options o;
  lm_loader_options_init(&o);
  o.mean = 0.5f;
  o.std = 0.25f;
  lm_loader *l = lm_loader_new(ds, &o);
  lm_batch b;
  lm_scope_begin();
  g_assert_true(lm_loader_next(l, &b));
  const float *x = lm_data_f32(b.x);
  for (int i = 0; i < 18; i++)
    g_assert_cmpfloat_with_epsilon(x[i], ((float)i / 255.0f - 0.5f) / 0.25f, 1e-6);
  /* lm_loader_get: any examples, any order */
  int64_t idx[2] = { 2, 0 };
  g_assert_true(lm_loader_get(l, idx, 2, &b, NULL));
  g_assert_cmpint(b.size, ==, 2);
  g_assert_cmpint(lm_data_i64(b.y)[0], ==, 2);
  g_assert_cmpfloat_with_epsilon(lm_data_f32(b.x)[0], (12.0f / 255.0f - 0.5f) / 0.25f, 1e-6);
  /* an index past the end (or negative) is refused, like a Dataset's IndexError */
  char *error = NULL;
  int64_t bad[2] = { 0, (int64_t)lm_dataset_len(ds) };
  g_assert_false(lm_loader_get(l, bad, 2, &b, &error));
  g_assert_null(b.x);
  g_assert_nonnull(strstr(error, "index 3 is out of range for a data set of 3 examples"));
  free(error);
  error = NULL;
  bad[1] = -1;
  g_assert_false(lm_loader_get(l, bad, 2, &b, &error));
  free(error);
  lm_scope_end();
  /* the data set's own getters check too */
  g_assert_null(lm_dataset_image(ds, 3));
  g_assert_cmpint(lm_dataset_label(ds, -1), ==, -1);
  g_assert_cmpint(lm_dataset_len(NULL), ==, 0);
  lm_loader_free(l);
  lm_dataset_release(ds);
}

/* Bad input to the data set constructors and the split: refused with a
 * message, never undefined behaviour. */
static void test_dataset_bad_input(void)
{
  uint8_t px[6] = { 0 };
  int64_t lab[2] = { 0, 5 };
  char *error = NULL;
  g_assert_null(lm_dataset_from_memory(px, lab, 2, 1, 1, 3, 3, &error));
  g_assert_nonnull(strstr(error, "label 5 of example 1 is outside [0, 3)"));
  free(error);
  error = NULL;
  g_assert_null(lm_dataset_from_memory(px, lab, 2, 0, 1, 3, 3, &error));
  g_assert_nonnull(strstr(error, "channels, height, width"));
  free(error);
  lab[1] = 1;
  lm_dataset *ds = lm_dataset_from_memory(px, lab, 2, 1, 1, 3, 3, NULL);
  g_assert_nonnull(ds);
  lm_dataset *tr = (lm_dataset *)1, *va = (lm_dataset *)1;
  lm_dataset_split(ds, NAN, &tr, &va);
  g_assert_null(tr);
  g_assert_null(va);
  lm_dataset_split(ds, 1.5, &tr, &va);
  g_assert_null(tr);
  lm_dataset_split(ds, 0.5, &tr, &va);
  g_assert_cmpint(lm_dataset_len(tr), ==, 1);
  g_assert_cmpint(lm_dataset_len(va), ==, 1);
  lm_dataset_release(tr);
  lm_dataset_release(va);
  lm_dataset_release(ds);
}

/* The order of one epoch as a list of example indices. */
static void epoch_order(lm_loader *l, int64_t epoch, int64_t *out, int64_t n)
{
  lm_loader_start_epoch(l, epoch);
  lm_batch b;
  int64_t k = 0;
  lm_scope_begin();
  while (lm_loader_next(l, &b)) {
    for (int64_t i = 0; i < b.size; i++) {
      g_assert_cmpint(k, <, n);
      out[k++] = b.indices[i];
      g_assert_cmpint(lm_data_i64(b.y)[i], ==, b.indices[i] % 4); /* labels follow their images */
    }
  }
  lm_scope_end();
  g_assert_cmpint(k, ==, n);
}

static void test_shuffle(void)
{
  enum { N = 100 };
  lm_dataset *ds = make_ds(N);
  lm_loader_options o;
  lm_loader_options_init(&o);
  o.batch_size = 7;
  o.shuffle = true;
  o.seed = 1234;
  lm_loader *l1 = lm_loader_new(ds, &o), *l2 = lm_loader_new(ds, &o);
  int64_t a[N], b[N], c[N];
  epoch_order(l1, 0, a, N);
  epoch_order(l2, 0, b, N);
  g_assert_cmpmem(a, sizeof a, b, sizeof b); /* same seed and epoch: same order */
  epoch_order(l1, 1, c, N);
  g_assert_true(memcmp(a, c, sizeof a) != 0); /* a new order each epoch */
  epoch_order(l2, 1, b, N);
  g_assert_cmpmem(b, sizeof b, c, sizeof c);
  /* every example exactly once, and really shuffled */
  int in_place = 0;
  bool seen[N] = { false };
  for (int i = 0; i < N; i++) {
    g_assert_false(seen[a[i]]);
    seen[a[i]] = true;
    in_place += a[i] == i;
  }
  g_assert_cmpint(in_place, <, 10);
  /* another seed, another order */
  lm_loader_free(l2);
  o.seed = 1235;
  l2 = lm_loader_new(ds, &o);
  epoch_order(l2, 0, b, N);
  g_assert_true(memcmp(a, b, sizeof a) != 0);

  /* seek: batches 3.. of epoch 1 are the same as in a full pass */
  lm_loader_start_epoch(l1, 1);
  lm_loader_seek(l1, 3);
  lm_batch bt;
  lm_scope_begin();
  g_assert_true(lm_loader_next(l1, &bt));
  g_assert_cmpint(bt.index, ==, 3);
  for (int i = 0; i < bt.size; i++)
    g_assert_cmpint(bt.indices[i], ==, c[21 + i]);
  lm_scope_end();
  lm_loader_free(l1);
  lm_loader_free(l2);
  lm_dataset_release(ds);
}

static void test_flat_memory(void)
{
  /* many epochs of batches inside scopes: no tensor outlives its step
   * (ASan's leak check makes this strict in the sanitizer build) */
  lm_dataset *ds = make_ds(50);
  lm_loader_options o;
  lm_loader_options_init(&o);
  o.batch_size = 8;
  o.shuffle = true;
  lm_loader *l = lm_loader_new(ds, &o);
  double sum = 0;
  for (int e = 0; e < 200; e++) {
    lm_loader_start_epoch(l, e);
    for (;;) {
      lm_scope_begin();
      lm_batch b;
      bool more = lm_loader_next(l, &b);
      if (more)
        sum += lm_item(lm_sum(b.x));
      lm_scope_end();
      if (!more)
        break;
    }
  }
  /* every epoch sums the same pixels */
  double per_epoch = 0;
  for (int i = 0; i < 300; i++)
    per_epoch += (double)(i % 256) / 255.0;
  g_assert_cmpfloat_with_epsilon(sum, 200 * per_epoch, 1e-2);
  lm_loader_free(l);
  lm_dataset_release(ds);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/train/loader/batches", test_batches);
  g_test_add_func("/train/loader/normalise", test_normalise);
  g_test_add_func("/train/loader/shuffle", test_shuffle);
  g_test_add_func("/train/loader/flat-memory", test_flat_memory);
  g_test_add_func("/train/loader/dataset-bad-input", test_dataset_bad_input);
  return g_test_run();
}
