/* util.c: error-message and path helpers shared by engine/data/ and engine/train/.
 *
 * Not for users; see lm-train-private.h.
 */
#define _GNU_SOURCE
#include "train/lm-train-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lm_train_set_error(char **error, const char *fmt, ...)
{
  if (!error || *error)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  *error = msg ? msg : strdup("out of memory formatting an error message");
}

const char *lm_train_basename(const char *path)
{
  const char *slash = path ? strrchr(path, '/') : NULL;
  return slash ? slash + 1 : (path ? path : "");
}
