/* test-lsan.c: the ASan pass's leak checks see leaks made by our code.
 *
 * What it checks: a child process (g_test_trap_subprocess, which inherits
 * the suite's ASAN_OPTIONS and LSAN_OPTIONS with tests/lsan.supp) that
 * loses a g_strdup'd string, a GObject of its own type or a GtkStringList
 * (an object GTK allocates for us) fails, and LeakSanitizer names the
 * function that leaked it.  tests/lsan.supp may only hide what system
 * libraries allocate for themselves: a pattern naming libglib, libgobject
 * or libgtk as a whole would hide all three and fail this test.  The
 * parent process must itself leave no leak.
 *
 * What it does not check: anything in a build without AddressSanitizer,
 * where the tests skip.
 */
#include <gtk/gtk.h>

#define LM_TYPE_LEAKY (lm_leaky_get_type ())
G_DECLARE_FINAL_TYPE (LmLeaky, lm_leaky, LM, LEAKY, GObject)

struct _LmLeaky
{
  GObject parent_instance;
  char *name;
};

G_DEFINE_FINAL_TYPE (LmLeaky, lm_leaky, G_TYPE_OBJECT)

static void
lm_leaky_class_init (LmLeakyClass *klass)
{
}

static void
lm_leaky_init (LmLeaky *self)
{
}

/* Each leaker keeps its block in a global that it then clears, so no stale
 * copy of the pointer on the stack or in a register keeps it reachable. */
static gpointer volatile lost;

static G_GNUC_NO_INLINE void
lm_leak_strdup (void)
{
  lost = g_strdup ("a string nobody frees");
  lost = NULL;
}

static G_GNUC_NO_INLINE void
lm_leak_object (void)
{
  LmLeaky *leaky = g_object_new (LM_TYPE_LEAKY, NULL);

  leaky->name = g_strdup ("an object nobody unrefs");
  lost = leaky;
  lost = NULL;
}

static G_GNUC_NO_INLINE void
lm_leak_string_list (void)
{
  const char *const strings[] = { "a", "b", NULL };

  lost = gtk_string_list_new (strings);
  lost = NULL;
}

#if defined(__SANITIZE_ADDRESS__)
# define HAVE_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define HAVE_ASAN 1
# endif
#endif

typedef struct
{
  const char *path;       /* the test's, which the child runs */
  void (*leak) (void);
  const char *function;   /* as LeakSanitizer names it in the stack */
} Leak;

static const Leak leaks[] = {
  { "/lsan/strdup", lm_leak_strdup, "lm_leak_strdup" },
  { "/lsan/object", lm_leak_object, "lm_leak_object" },
  { "/lsan/gtk-object", lm_leak_string_list, "lm_leak_string_list" },
};

/* Runs the leak in a child and checks LeakSanitizer fails it, naming the
 * leaking function in a direct leak's stack. */
static void
test_leak (gconstpointer data)
{
  const Leak *leak = data;

  if (g_test_subprocess ())
    {
      leak->leak ();
      return;
    }
#ifdef HAVE_ASAN
  {
    g_autofree char *pattern = g_strdup_printf ("*ERROR: LeakSanitizer: detected memory leaks*"
                                                "Direct leak of *%s*", leak->function);

    g_test_trap_subprocess (leak->path, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed ();
    g_test_trap_assert_stderr (pattern);
  }
#else
  g_test_skip ("built without AddressSanitizer (-Db_sanitize=address)");
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (leaks); i++)
    g_test_add_data_func (leaks[i].path, &leaks[i], test_leak);
  return g_test_run ();
}
