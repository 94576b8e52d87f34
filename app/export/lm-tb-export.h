/* lm-tb-export.h: Lumen runs -> TensorBoard event files.
 *
 * What it is for: every Lumen run (a folder holding run.lumen) under a
 * source root becomes <dst>/<run name>/events.out.tfevents.<time>.<host>.
 * <pid>.0, written as PyTorch 1.13's SummaryWriter writes one, so that
 * TensorBoard, `wandb sync`, MLflow and the other readers of event files
 * read it: scalars, histograms, images, audio, texts, PR curves, hparams, Custom
 * Scalars layouts, graphs and meshes with their steps and wall times, embeddings
 * as the projector's folder.  Traces have no TensorBoard form: they are
 * counted and skipped.  The source is only read (as the app opens runs:
 * read-only, a finished run as an immutable file).
 *
 * What it is not for: the command line (app/export/main.c), or following
 * a run that is still written (it exports what was committed).
 */
#ifndef LM_TB_EXPORT_H
#define LM_TB_EXPORT_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LM_TB_EXPORT_OVERWRITE = 1 << 0, /* replace event files already in dst */
} LmTbExportFlags;

/* Receives each message (an error naming the run file, or a run's
 * summary line); NULL prints them on stderr. */
typedef void (*LmTbExportMessageFunc) (const char *message, gboolean is_error,
                                       gpointer user_data);

typedef struct
{
  LmTbExportFlags flags;
  const char *runs;   /* a regex (GRegex, searched in the run name); NULL: all */
  LmTbExportMessageFunc message;
  gpointer message_data;
} LmTbExportOptions;

/* Exports every run under src (or src itself, a run folder) into dst.
 * Returns the number of errors (runs that could not be read or written
 * whole, a bad --runs regex, nothing found). */
guint lm_tb_export (const char *src, const char *dst, const LmTbExportOptions *opts);

G_END_DECLS

#endif /* LM_TB_EXPORT_H */
