/* lm-natural.c: natural order of names (lm-natural.h). */
#include "lm-natural.h"

#include <string.h>

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* A number in a name, read as TensorBoard reads one: digits, then maybe a
 * fraction (lr0.05) and an exponent (lr1e-4).  Its value is 0.D x 10^mag,
 * D being its digits (integer part, then fraction) from the first
 * non-zero one on; compared that way it is exact at any length. */
typedef struct
{
  const char *int0, *frac0;   /* the digits before and after the point */
  gint64 n_int, n_frac;
  gint64 first;               /* index of the first non-zero digit */
  gint64 mag;
  gboolean zero;
} Number;

/* The k-th digit of the integer and fraction parts read as one string,
 * '\0' past the end. */
static char
digit_at (const Number *n, gint64 k)
{
  if (k < n->n_int)
    return n->int0[k];
  k -= n->n_int;
  return k < n->n_frac ? n->frac0[k] : '\0';
}

/* Reads the number at p (a digit) in the name that starts at `start`;
 * returns the end of it. */
static const char *
read_number (const char *start, const char *p, Number *n)
{
  /* A number right after a '.' is an index in a path (blocks.1.10); one
   * followed by two ".digits" is a version (1.10.2): both stay integers,
   * compared part by part. */
  gboolean decimal = p == start || p[-1] != '.';
  gint64 n_digits, exponent = 0;

  n->int0 = p;
  while (is_digit (*p))
    p++;
  n->n_int = p - n->int0;
  n->frac0 = p;
  n->n_frac = 0;
  if (decimal && p[0] == '.' && is_digit (p[1]))
    {
      const char *q = p + 1;

      while (is_digit (*q))
        q++;
      if (!(q[0] == '.' && is_digit (q[1])))
        {
          n->frac0 = p + 1;
          n->n_frac = q - n->frac0;
          p = q;
        }
    }
  if (decimal && (p[0] == 'e' || p[0] == 'E'))
    {
      const char *q = p + 1 + (p[1] == '-' || p[1] == '+');

      if (is_digit (*q))
        {
          for (; is_digit (*q); q++)   /* capped: 1e99999999999999999999 is huge, not wrapped */
            exponent = MIN (exponent * 10 + (*q - '0'), G_GINT64_CONSTANT (1) << 40);
          if (p[1] == '-')
            exponent = -exponent;
          p = q;
        }
    }
  n_digits = n->n_int + n->n_frac;
  for (n->first = 0; n->first < n_digits && digit_at (n, n->first) == '0'; n->first++)
    ;
  n->zero = n->first == n_digits;
  n->mag = n->n_int - n->first + exponent;
  return p;
}

static int
compare_numbers (const Number *a, const Number *b)
{
  if (a->zero || b->zero)
    return a->zero == b->zero ? 0 : a->zero ? -1 : 1;
  if (a->mag != b->mag)
    return a->mag < b->mag ? -1 : 1;
  /* same magnitude: digit by digit, a missing digit reading as 0 */
  for (gint64 k = 0;; k++)
    {
      char da = digit_at (a, a->first + k), db = digit_at (b, b->first + k);

      if (da == '\0' && db == '\0')
        return 0;
      da = da ? da : '0';
      db = db ? db : '0';
      if (da != db)
        return da < db ? -1 : 1;
    }
}

int
lm_natural_compare (const char *a, const char *b)
{
  const char *pa = a, *pb = b;

  if (a == NULL || b == NULL)
    return a == b ? 0 : a == NULL ? -1 : 1;
  while (*pa != '\0' && *pb != '\0')
    {
      if (is_digit (*pa) && is_digit (*pb))
        {
          Number na, nb;
          int diff;

          pa = read_number (a, pa, &na);
          pb = read_number (b, pb, &nb);
          diff = compare_numbers (&na, &nb);
          if (diff != 0)
            return diff;
          continue;
        }
      if (*pa != *pb)
        return (unsigned char) *pa < (unsigned char) *pb ? -1 : 1;
      pa++, pb++;
    }
  if (*pa != *pb)
    return *pa == '\0' ? -1 : 1;
  return strcmp (a, b);
}

int
lm_natural_compare_ptrs (gconstpointer a, gconstpointer b)
{
  return lm_natural_compare (*(const char *const *) a, *(const char *const *) b);
}
