/* lm-natural.c: natural order of names (lm-natural.h). */
#include "lm-natural.h"

#include <string.h>

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* The digit runs at *pa and *pb by value; both pointers move past them. */
static int
compare_numbers (const char **pa, const char **pb)
{
  const char *a = *pa, *b = *pb;
  size_t la, lb;
  int diff;

  while (*a == '0' && is_digit (a[1]))
    a++;
  while (*b == '0' && is_digit (b[1]))
    b++;
  for (la = 0; is_digit (a[la]); la++)
    ;
  for (lb = 0; is_digit (b[lb]); lb++)
    ;
  /* same length without leading zeros: the first differing digit decides */
  diff = la != lb ? (la < lb ? -1 : 1) : memcmp (a, b, la);
  *pa = a + la;
  *pb = b + lb;
  return diff;
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
          int diff = compare_numbers (&pa, &pb);

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
