/* copydesk — the one-line progress display of long runs, on stderr (internal).
 *
 * The line reads
 *
 *   copydesk: 1234 documents, 56.7 of 200.0 MB (28%), 12.3 MB/s, ETA 0:12
 *
 * ("of TOTAL MB (P%)" and the ETA only when every input is a regular file, so the total is
 * known; MB are 10^6 bytes).  It is redrawn in place with a carriage return at most five times
 * a second and cleared at the end, so the terminal is left as it was.  The runner calls
 * copydesk_progress_update() once per document; that call only counts, and looks at the clock
 * every few documents.
 */
#pragma once

#include <stdio.h>

#include <glib.h>

typedef enum {
  COPYDESK_PROGRESS_AUTO = 0, /* on when stderr is a terminal and the run is long (see below) */
  COPYDESK_PROGRESS_OFF,      /* --quiet */
  COPYDESK_PROGRESS_ON,       /* --progress: always, to whatever stderr is */
} CopydeskProgressMode;

typedef struct CopydeskProgress CopydeskProgress;

/* A progress display for a run over FILES ("-" or none: standard input) written to STREAM
 * (stderr), or NULL when none should be shown.  AUTO shows one only when STREAM is a terminal,
 * standard output is not (the output would mix with the line), TERM is not "dumb", $CI is
 * unset, and the input is large (8 MB or more in regular files), many files (10 or more) or of
 * unknown size (a pipe); even then the first line is drawn only once the run has lasted a
 * second, so short runs stay silent.  ON draws from the first document on, wherever STREAM
 * goes. */
CopydeskProgress *copydesk_progress_new(CopydeskProgressMode mode, const char *const *files,
                                        FILE *stream);
/* Counts one more document; BYTES is the input read so far.  Cheap: the clock is read every
 * 16 documents (or after 4 MB), the line redrawn at most every 200 ms.  PROGRESS may be NULL. */
void copydesk_progress_update(CopydeskProgress *progress, guint64 bytes);
/* Erases the line (when one is shown) so a message can be written to the stream; the next
 * update draws it again.  PROGRESS may be NULL. */
void copydesk_progress_clear(CopydeskProgress *progress);
/* Erases the line and frees PROGRESS (may be NULL). */
void copydesk_progress_finish(CopydeskProgress *progress);

/* The text of the line for DOCS documents and BYTES read of TOTAL (0: unknown) after SECONDS;
 * g_free() it.  Exposed for tests. */
char *copydesk_progress_format(guint64 docs, guint64 bytes, guint64 total, double seconds);
