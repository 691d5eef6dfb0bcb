/* copydesk — a pipeline: the stages of a pipeline file with their plugins loaded and
 * options validated, and the per-worker plugin instances that run them (internal). */
#pragma once

#include <copydesk/copydesk.h>

#include "options_private.h"

typedef enum {
  COPYDESK_ON_ERROR_RECORD = 0, /* stop this document's stages; emit it with the error */
  COPYDESK_ON_ERROR_SKIP,       /* note the error and go on with the next stage */
  COPYDESK_ON_ERROR_ABORT,      /* emit the document with the error, then stop the run */
} CopydeskOnError;

typedef enum {
  COPYDESK_INPUT_TEXT = 0, /* each file (or form-feed separated part) is one document */
  COPYDESK_INPUT_JSONL,    /* one JSON object per line */
  COPYDESK_INPUT_CONLL,    /* pre-tokenised CoNLL columns; provides token and sentence layers */
} CopydeskInputFormat;

typedef struct {
  char *name; /* plugin name, as the pipeline file gives it */
  char *file; /* the shared object it was loaded from */
  const CopydeskPluginDescriptor *descriptor;
  CopydeskOptions *options;
  CopydeskOnError on_error;
  guint line, column; /* where the stage is in the pipeline file (0 when not from a file) */
  void *shared;       /* the one instance of a reentrant plugin, once created */
  gboolean shared_ready;
} CopydeskStage;

typedef struct {
  char *file;     /* the pipeline file, for messages */
  char *base_dir; /* relative paths resolve here */
  GPtrArray *search_path;
  CopydeskInputFormat input_format;
  char *text_field; /* jsonl: the field holding the article */
  char *id_field;   /* jsonl: the field holding the document id */
  GPtrArray *stages; /* CopydeskStage*: transform and annotate stages, in order */
  CopydeskStage *output;
} CopydeskPipeline;

/* What the command line may change in a pipeline file. */
typedef struct {
  const char *output_plugin; /* --to: replaces the output plugin (its options are dropped) */
  const char *input_format;  /* --from: "text", "jsonl" or "conll" */
  gboolean with_installed;   /* search the installed plugin folder (FALSE for tests) */
  const char *color;         /* --color: auto, always or never, for output plugins with a
                                `color` option (others ignore it) */
} CopydeskPipelineSettings;

/* Reads, validates and loads the pipeline file PATH.  Every error names PATH:LINE:COLUMN. */
CopydeskPipeline *copydesk_pipeline_load_file(const char *path,
                                              const CopydeskPipelineSettings *settings,
                                              GError **error);
/* The same from LEN bytes of YAML; FILENAME names it in messages, BASE_DIR resolves paths. */
CopydeskPipeline *copydesk_pipeline_load_data(const char *filename, const char *data, gsize len,
                                              const char *base_dir,
                                              const CopydeskPipelineSettings *settings,
                                              GError **error);
/* Frees PIPELINE and any shared instances. */
void copydesk_pipeline_free(CopydeskPipeline *pipeline);

/* One worker's instances of every stage: reentrant plugins share one, the others get their own. */
typedef struct CopydeskWorker CopydeskWorker;

/* Creates the instances for one worker; the plugin's create errors name the stage's position. */
CopydeskWorker *copydesk_worker_new(CopydeskPipeline *pipeline, GError **error);
/* Frees WORKER's own instances. */
void copydesk_worker_free(CopydeskWorker *worker);
/* Makes WORKER add the time of each stage and its documents to STATS (NULL: stop); STATS
 * belongs to the caller and is only touched by the thread running WORKER. */
struct CopydeskStats;
void copydesk_worker_set_stats(CopydeskWorker *worker, struct CopydeskStats *stats);
/* Makes the stages of WORKER build every layer, as for a caller that reads the documents'
 * layers itself after the pipeline (the plugin test harness). */
void copydesk_worker_keep_all_layers(CopydeskWorker *worker);
/* Runs every transform/annotate stage on DOC, recording stage failures in DOC as its on_error
 * says.  Returns FALSE when a stage with on_error: abort failed. */
gboolean copydesk_worker_process(CopydeskWorker *worker, CopydeskDocument *doc);
/* Formats DOC with the output stage, appending to OUT. */
gboolean copydesk_worker_format(CopydeskWorker *worker, const CopydeskDocument *doc, GString *out,
                                GError **error);
/* The output stage's header, separator and footer. */
gboolean copydesk_worker_header(CopydeskWorker *worker, GString *out, GError **error);
const char *copydesk_worker_separator(CopydeskWorker *worker);
gboolean copydesk_worker_footer(CopydeskWorker *worker, GString *out, GError **error);
