/* lm-tb-import.h: TensorBoard log folders -> Lumen runs.
 *
 * What it is for: every folder under a source root that holds event files
 * (events.out.tfevents.*, as SummaryWriter, tensorboardX and tf.summary
 * write them) becomes the Lumen run <dst>/<same relative path>/run.lumen,
 * the root folder itself <dst>/<root's name>.  Scalars, histograms,
 * images, WAV audio, text, PR curves, hyperparameters, custom scalars
 * layouts (their Python tag regexes in POSIX where it can say the same),
 * graphs (GraphDef, as add_graph writes it), meshes (add_mesh's
 * VERTEX, FACE and COLOR tensors) and projector embeddings are
 * converted with their steps and wall times; non-WAV audio, run metadata,
 * unknown plugins and charts whose regexes POSIX cannot spell are counted
 * and skipped.  A poll reads only what was added
 * since the last one (new bytes, files and folders), so an importer can
 * follow runs that are still being written.
 *
 * What it is not for: the command line (app/import/main.c) or knowing
 * what the app shows; it writes run files with lumen-log.
 */
#ifndef LM_TB_IMPORT_H
#define LM_TB_IMPORT_H

#include <glib.h>
#include <signal.h>

G_BEGIN_DECLS

typedef struct _LmTbImport LmTbImport;

typedef enum
{
  LM_TB_IMPORT_OVERWRITE = 1 << 0, /* replace runs already in dst */
  LM_TB_IMPORT_QUIET = 1 << 1,     /* messages go to the handler only */
  LM_TB_IMPORT_MIRROR = 1 << 2,    /* dst is a cache of src: a run whose
                                    * folder no longer holds event files
                                    * is removed from it (TensorBoard drops
                                    * such a run from its list) */
  LM_TB_IMPORT_ONCE = 1 << 3,      /* one poll, no follow: a run read to
                                    * the end is closed (finished) at once,
                                    * so that a Ctrl-C or the end of the
                                    * import has one run to close, not
                                    * every run of a big tree */
} LmTbImportFlags;

/* Receives each message (an error naming the file and byte offset, or a
 * run's summary line); the default prints it on stderr. */
typedef void (*LmTbImportMessageFunc) (const char *message, gboolean is_error,
                                       gpointer user_data);

LmTbImport *lm_tb_import_new (const char *src, const char *dst, LmTbImportFlags flags);
void lm_tb_import_set_message_func (LmTbImport *imp, LmTbImportMessageFunc fn,
                                    gpointer user_data);
/* Reads what is new under src into the runs (committing within the
 * writers' flush interval).  Returns the number of records imported. */
guint64 lm_tb_import_poll (LmTbImport *imp);
/* Makes each poll check *flag (set by a SIGINT or SIGTERM handler) after
 * every record, file and folder: once it is non-zero the poll returns at
 * the next one, what it read so far queued for the run files.  A run
 * whose files were not read to their end then counts as interrupted. */
void lm_tb_import_set_cancel_flag (LmTbImport *imp, const volatile sig_atomic_t *flag);
/* Whether a poll stopped at the cancel flag before reading everything
 * it found. */
gboolean lm_tb_import_was_interrupted (LmTbImport *imp);
/* Waits until everything imported so far is in the run files. */
void lm_tb_import_flush (LmTbImport *imp);
/* Closes the runs, marking them finished (or stopped when `stopped`, and
 * a run a poll was interrupted in), and reports each run's counts.
 * Returns the number of errors seen. */
guint lm_tb_import_finish (LmTbImport *imp, gboolean stopped);
/* Errors so far (bad CRCs, runs refused, unreadable files). */
guint lm_tb_import_get_n_errors (LmTbImport *imp);
guint lm_tb_import_get_n_runs (LmTbImport *imp);
void lm_tb_import_free (LmTbImport *imp);

/* Whether a file name is an event file's ("tfevents" in it, as
 * TensorBoard's IsTensorFlowEventsFile). */
gboolean lm_tb_is_event_file (const char *name);
/* Whether it is a torch.profiler trace's (tensorboard_trace_handler's
 * *.pt.trace.json, gzipped too): its ProfilerStep#N spans become
 * profiled steps of the folder's run. */
gboolean lm_tb_is_profile_file (const char *name);
/* Whether some folder under root (to a depth of 32) holds event files
 * (or torch.profiler traces). */
gboolean lm_tb_has_event_files (const char *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmTbImport, lm_tb_import_free)

G_END_DECLS

#endif /* LM_TB_IMPORT_H */
