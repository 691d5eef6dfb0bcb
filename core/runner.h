/* copydesk — running a pipeline over an input stream with N workers, writing each
 * document's output in input order (internal). */
#pragma once

#include <stdio.h>

#include "input.h"
#include "pipeline.h"
#include "progress.h"

/* Exit statuses of the copydesk command. */
typedef enum {
  COPYDESK_EXIT_OK = 0,       /* every document went through every stage */
  COPYDESK_EXIT_DOCUMENT = 1, /* some document failed; it was still emitted, with its errors */
  COPYDESK_EXIT_USAGE = 2,    /* usage, configuration or plugin error: nothing ran */
  COPYDESK_EXIT_IO = 3,       /* an input could not be read or the output could not be written */
} CopydeskExitStatus;

typedef struct {
  guint jobs;         /* threads processing documents, the calling thread one of them */
  gboolean quiet;     /* do not report document errors on stderr (they stay in the output) */
  FILE *out;          /* where the output goes (stdout) */
  CopydeskProgress *progress; /* the progress line on stderr, or NULL */
  gboolean stats;     /* print where the time went (per stage) on stderr at the end */
} CopydeskRunOptions;

/* Reads every document of INPUT, runs PIPELINE on it and writes the output in input order.
 * Each of the JOBS threads in turn takes one lock to write what is due and read its next
 * batch (up to 32 documents or 64 KB of text; one document at -j 1), then processes the
 * batch alone.  Memory stays bounded: reading waits when it would run 8 × jobs batches
 * ahead of writing, and an output that is not consumed stops the reading.  Returns the
 * exit status; errors that stop the run are reported on stderr as one line each.  A closed
 * output pipe ends the run quietly. */
CopydeskExitStatus copydesk_run(CopydeskPipeline *pipeline, CopydeskInput *input,
                                const CopydeskRunOptions *options);
