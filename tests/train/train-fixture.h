/* train-fixture.h: shared helpers of the training tests that run
 * lumen-train: a small synthetic IDX data set written to a folder, and
 * one-value SQL queries on run files.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <stdint.h>

/* Writes DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz: 28x28 images
 * of 10 classes (a bright bar at a class-specific height plus noise), easy
 * to learn in a few steps. Returns the folder (g_free it). */
char *train_fixture_make_data(const char *parent, int ntrain, int ntest);

/* The installed Fashion-MNIST, if present (for realistic subsets). */
gboolean train_fixture_have_fashion(void);

/* Opens a run file read-only (asserts). */
sqlite3 *train_fixture_open_run(const char *path);
/* The first column of the first row as an integer / double / string. */
int64_t train_fixture_int(sqlite3 *db, const char *sql);
double train_fixture_double(sqlite3 *db, const char *sql);
char *train_fixture_text(sqlite3 *db, const char *sql);

/* rm -rf dir */
void train_fixture_rmdir(const char *dir);
