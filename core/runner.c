/* copydesk — the run loop: read, process on workers, write in order. */
#include <errno.h>
#include <string.h>

#include "runner.h"
#include "stats.h"

typedef struct Job {
  CopydeskDocument *doc;
  char *location;
  GString *out;       /* the formatted document */
  GString *messages;  /* lines for stderr */
  gboolean failed;    /* the document carries errors */
  gboolean keep_going; /* FALSE when a stage with on_error: abort failed */
  gint done; /* set atomically by the worker when the job is finished */
  struct Job *next; /* the next job of the same batch (taken by the same worker), or NULL */
  gsize bytes;      /* the document's original text (main thread only) */
} Job;

/* Documents handed to the workers together: up to BATCH_DOCS of them, or BATCH_BYTES of text. */
#define BATCH_DOCS 32
#define BATCH_BYTES (64 * 1024)

/* The batch the main thread is filling (a chain of jobs by NEXT). */
typedef struct {
  Job *first, *last;
  guint n;
  gsize bytes;
} Batch;

typedef struct {
  CopydeskPipeline *pipeline;
  const CopydeskRunOptions *options;
  GAsyncQueue *todo;
  GMutex lock;
  GCond done_cond;
  Job *waiting_for; /* the job the main thread sleeps on (set under LOCK), or NULL */
  GPtrArray *workers; /* CopydeskWorker* */
  GPtrArray *threads; /* GThread* */
  GPtrArray *worker_stats; /* CopydeskStats* of each thread's worker (--stats), or NULL */
  /* Output state (main thread only). */
  const char *separator; /* written between two documents, or NULL */
  gboolean wrote_any;
  gboolean output_closed; /* EPIPE: the reader went away */
  CopydeskExitStatus status;
} Run;

static Job stop_job; /* pushed once per thread to end it */

/* Processes and formats JOB's document on WORKER, then frees the document. */
static void
run_job(CopydeskWorker *worker, Job *job, gboolean quiet)
{
  CopydeskDocument *doc = job->doc;
  job->keep_going = copydesk_worker_process(worker, doc);
  GError *error = NULL;
  if (!copydesk_worker_format(worker, doc, job->out, &error)) {
    g_string_append_printf(job->messages, "copydesk: %s: output: %s\n", job->location,
                           error ? error->message : "failed without saying why");
    g_clear_error(&error);
    g_string_truncate(job->out, 0);
    job->failed = TRUE;
  }
  guint invalid = copydesk_document_n_invalid_sequences(doc);
  if (invalid > 0 && !quiet) /* a warning, once per document: the text is still processed */
    g_string_append_printf(job->messages,
                           "copydesk: %s: input: %u invalid UTF-8 byte%s replaced by U+FFFD\n",
                           job->location, invalid, invalid == 1 ? "" : "s");
  guint n = copydesk_document_n_errors(doc);
  if (n > 0)
    job->failed = TRUE;
  for (guint i = 0; i < n && !quiet; i++) {
    const char *stage = copydesk_document_error_stage(doc, i);
    const char *message = copydesk_document_error_message(doc, i);
    if (strcmp(stage, "input") == 0) /* input messages already name FILE:LINE */
      g_string_append_printf(job->messages, "copydesk: %s\n", message);
    else
      g_string_append_printf(job->messages, "copydesk: %s: %s: %s\n", job->location, stage,
                             message);
  }
  copydesk_document_free(doc);
  job->doc = NULL;
}

static gpointer
worker_thread(gpointer data)
{
  Run *run = data;
  CopydeskWorker *worker = NULL;
  /* Each thread takes one of the workers start_threads made. */
  g_mutex_lock(&run->lock);
  for (guint i = 0; i < run->workers->len && worker == NULL; i++) {
    if (run->workers->pdata[i] != NULL) {
      worker = run->workers->pdata[i];
      run->workers->pdata[i] = NULL;
    }
  }
  g_mutex_unlock(&run->lock);
  for (;;) {
    Job *job = g_async_queue_pop(run->todo);
    if (job == &stop_job)
      break;
    /* A batch: its jobs one after the other (the main thread may free a job as soon as it
     * is done, so NEXT is read first). */
    while (job != NULL) {
      Job *next = job->next;
      run_job(worker, job, run->options->quiet);
      /* The main thread either sees DONE before it sleeps, or has set WAITING_FOR (under
       * the lock) before looking: then the signal below reaches it (both are sequentially
       * consistent atomics).  Other jobs finish without touching the lock. */
      g_atomic_int_set(&job->done, 1);
      if (g_atomic_pointer_get(&run->waiting_for) == job) {
        g_mutex_lock(&run->lock);
        g_cond_signal(&run->done_cond);
        g_mutex_unlock(&run->lock);
      }
      job = next;
    }
  }
  copydesk_worker_free(worker);
  return NULL;
}

static void
free_job(Job *job)
{
  copydesk_document_free(job->doc);
  g_free(job->location);
  g_string_free(job->out, TRUE);
  g_string_free(job->messages, TRUE);
  g_free(job);
}

/* Writes LEN bytes to the output; on failure records the status and closes the output. */
static void
write_bytes(Run *run, const char *data, gsize len)
{
  if (run->output_closed || len == 0)
    return;
  if (fwrite(data, 1, len, run->options->out) == len)
    return;
  run->output_closed = TRUE;
  if (errno == EPIPE)
    return; /* the reader is gone: end quietly */
  copydesk_progress_clear(run->options->progress);
  g_printerr("copydesk: cannot write the output: %s\n", g_strerror(errno));
  run->status = COPYDESK_EXIT_IO;
}

static void
raise_status(Run *run, CopydeskExitStatus status)
{
  if (status > run->status)
    run->status = status;
}

/* Writes a finished JOB (separator, output, stderr messages). */
static void
write_job(Run *run, Job *job, CopydeskStats *stats)
{
  gint64 t0 = stats ? copydesk_stats_now() : 0;
  if (job->out->len > 0) {
    if (run->wrote_any && run->separator)
      write_bytes(run, run->separator, strlen(run->separator));
    write_bytes(run, job->out->str, job->out->len);
    run->wrote_any = TRUE;
  }
  if (job->messages->len > 0) {
    copydesk_progress_clear(run->options->progress);
    fputs(job->messages->str, stderr);
  }
  if (job->failed)
    raise_status(run, COPYDESK_EXIT_DOCUMENT);
  if (stats)
    stats->write_ns += copydesk_stats_now() - t0;
}

static Job *
new_job(CopydeskDocument *doc, char *location)
{
  Job *job = g_new0(Job, 1);
  job->doc = doc;
  job->location = location ? location : g_strdup(copydesk_document_id(doc));
  job->out = g_string_sized_new(1024);
  job->messages = g_string_new(NULL);
  return job;
}

static gsize
job_bytes(const Job *job)
{
  gsize len;
  copydesk_document_original(job->doc, &len);
  return len;
}

/* Adds JOB at the end of BATCH. */
static void
batch_add(Batch *batch, Job *job)
{
  if (batch->last)
    batch->last->next = job;
  else
    batch->first = job;
  batch->last = job;
  batch->n++;
  batch->bytes += job->bytes;
}

/* Hands BATCH (when not empty) to the workers and starts a new one. */
static void
batch_push(Run *run, Batch *batch)
{
  if (batch->first)
    g_async_queue_push(run->todo, batch->first);
  *batch = (Batch){NULL, NULL, 0, 0};
}

/* Waits for JOB to be done. */
static void
wait_for(Run *run, Job *job)
{
  if (g_atomic_int_get(&job->done))
    return;
  g_mutex_lock(&run->lock);
  g_atomic_pointer_set(&run->waiting_for, job);
  while (!g_atomic_int_get(&job->done))
    g_cond_wait(&run->done_cond, &run->lock);
  g_atomic_pointer_set(&run->waiting_for, NULL);
  g_mutex_unlock(&run->lock);
}

/* Takes the oldest pending job, waits for it, writes it unless the run stopped, and frees
 * it; returns its document's size. */
static gsize
finish_oldest(Run *run, GQueue *pending, CopydeskStats *stats, gboolean *stop)
{
  Job *head = g_queue_pop_head(pending);
  wait_for(run, head);
  if (!*stop)
    write_job(run, head, stats);
  *stop = *stop || !head->keep_going;
  gsize bytes = head->bytes;
  free_job(head);
  return bytes;
}

/* TRUE when JOB is done (without waiting). */
static gboolean
is_done(Job *job)
{
  return g_atomic_int_get(&job->done) != 0;
}

/* Starts N worker threads, each with its own plugin instances. */
static gboolean
start_threads(Run *run, guint n, GError **error)
{
  run->workers = g_ptr_array_new();
  for (guint i = 0; i < n; i++) {
    CopydeskWorker *worker = copydesk_worker_new(run->pipeline, error);
    if (worker == NULL) {
      for (guint k = 0; k < run->workers->len; k++)
        copydesk_worker_free(run->workers->pdata[k]);
      g_ptr_array_set_size(run->workers, 0);
      return FALSE;
    }
    g_ptr_array_add(run->workers, worker);
    if (run->worker_stats) {
      CopydeskStats *stats = copydesk_stats_new(run->pipeline->stages->len);
      g_ptr_array_add(run->worker_stats, stats);
      copydesk_worker_set_stats(worker, stats);
    }
  }
  run->threads = g_ptr_array_new();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add(run->threads, g_thread_new("copydesk-worker", worker_thread, run));
  return TRUE;
}

static void
stop_threads(Run *run)
{
  if (run->threads == NULL)
    return;
  for (guint i = 0; i < run->threads->len; i++)
    g_async_queue_push(run->todo, &stop_job);
  for (guint i = 0; i < run->threads->len; i++)
    g_thread_join(run->threads->pdata[i]);
  g_ptr_array_free(run->threads, TRUE);
  run->threads = NULL;
}

CopydeskExitStatus
copydesk_run(CopydeskPipeline *pipeline, CopydeskInput *input, const CopydeskRunOptions *options)
{
  Run run = {.pipeline = pipeline, .options = options, .status = COPYDESK_EXIT_OK};
  guint jobs = MAX(options->jobs, 1);
  GError *error = NULL;
  CopydeskWorker *inline_worker = NULL;

  g_mutex_init(&run.lock);
  g_cond_init(&run.done_cond);
  run.todo = g_async_queue_new();
  gint64 started = copydesk_stats_now();
  CopydeskStats *stats = NULL; /* --stats: the main thread's times, then the sum */
  if (options->stats) {
    stats = copydesk_stats_new(pipeline->stages->len);
    run.worker_stats = g_ptr_array_new_with_free_func((GDestroyNotify)copydesk_stats_free);
  }
  /* The output frame comes from an instance of the output plugin on this thread. */
  inline_worker = copydesk_worker_new(pipeline, &error);
  if (inline_worker != NULL && jobs == 1)
    copydesk_worker_set_stats(inline_worker, stats);
  if (inline_worker == NULL || (jobs > 1 && !start_threads(&run, jobs, &error))) {
    g_printerr("copydesk: %s\n", error->message);
    g_error_free(error);
    copydesk_worker_free(inline_worker);
    g_async_queue_unref(run.todo);
    if (run.workers)
      g_ptr_array_free(run.workers, TRUE);
    if (run.worker_stats)
      g_ptr_array_free(run.worker_stats, TRUE);
    copydesk_stats_free(stats);
    return COPYDESK_EXIT_USAGE;
  }

  run.separator = copydesk_worker_separator(inline_worker);
  GString *frame = g_string_new(NULL);
  if (!copydesk_worker_header(inline_worker, frame, &error)) {
    g_printerr("copydesk: output header: %s\n", error->message);
    g_clear_error(&error);
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  }
  write_bytes(&run, frame->str, frame->len);

  /* Documents go to the workers in batches of up to BATCH_DOCS documents or BATCH_BYTES of
   * text (one document when it is bigger), so that short records do not pay a hand-off
   * each.  At most 8 batches a worker are read ahead (by their size: documents and
   * bytes, at least 8 documents a worker).  When that many are pending, the main thread
   * writes finished ones until only half are left before it reads on: it sleeps once per
   * few batches rather than once per document, and the workers' queue never runs dry in
   * between. */
  GQueue pending = G_QUEUE_INIT;
  Batch batch = {NULL, NULL, 0, 0};
  gsize pending_bytes = 0;
  guint min_docs = jobs * 8;
  guint max_docs = jobs * 8 * BATCH_DOCS;
  gsize max_bytes = (gsize)jobs * 8 * BATCH_BYTES;
  gboolean stop = FALSE;
  while (!stop && !run.output_closed) {
    char *location = NULL;
    gint64 t0 = stats ? copydesk_stats_now() : 0;
    CopydeskDocument *doc = copydesk_input_next(input, &location, &error);
    if (stats)
      stats->input_ns += copydesk_stats_now() - t0;
    if (doc == NULL) {
      if (error == NULL)
        break;
      copydesk_progress_clear(options->progress);
      g_printerr("copydesk: %s\n", error->message);
      g_clear_error(&error);
      raise_status(&run, COPYDESK_EXIT_IO);
      continue;
    }
    copydesk_progress_update(options->progress, copydesk_input_bytes_read(input));
    Job *job = new_job(doc, location);
    if (jobs == 1) {
      run_job(inline_worker, job, options->quiet);
      write_job(&run, job, stats);
      stop = !job->keep_going;
      free_job(job);
      continue;
    }
    g_queue_push_tail(&pending, job);
    job->bytes = job_bytes(job);
    pending_bytes += job->bytes;
    batch_add(&batch, job);
    if (batch.n >= BATCH_DOCS || batch.bytes >= BATCH_BYTES)
      batch_push(&run, &batch);
    guint n = g_queue_get_length(&pending);
    gboolean full = n >= min_docs && (n >= max_docs || pending_bytes >= max_bytes);
    if (full)
      batch_push(&run, &batch); /* the head may be in it: never wait on an unsent job */
    while (!g_queue_is_empty(&pending) &&
           ((full && g_queue_get_length(&pending) > min_docs / 2 &&
             (g_queue_get_length(&pending) > max_docs / 2 || pending_bytes > max_bytes / 2)) ||
            is_done(g_queue_peek_head(&pending))))
      pending_bytes -= finish_oldest(&run, &pending, stats, &stop);
  }
  batch_push(&run, &batch);
  while (!g_queue_is_empty(&pending))
    finish_oldest(&run, &pending, stats, &stop);
  stop_threads(&run);
  copydesk_progress_clear(options->progress); /* the footer's messages start on a clean line */
  if (stats) {
    for (guint i = 0; i < run.worker_stats->len; i++)
      copydesk_stats_add(stats, run.worker_stats->pdata[i]);
  }

  g_string_truncate(frame, 0);
  if (!copydesk_worker_footer(inline_worker, frame, &error)) {
    g_printerr("copydesk: output footer: %s\n", error->message);
    g_clear_error(&error);
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  }
  write_bytes(&run, frame->str, frame->len);
  g_string_free(frame, TRUE);
  if (!run.output_closed && fflush(options->out) != 0) {
    if (errno != EPIPE) {
      g_printerr("copydesk: cannot write the output: %s\n", g_strerror(errno));
      raise_status(&run, COPYDESK_EXIT_IO);
    }
  }
  if (stop)
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  if (stats) {
    copydesk_stats_print(stats, pipeline, jobs, copydesk_stats_now() - started, stderr);
    copydesk_stats_free(stats);
    g_ptr_array_free(run.worker_stats, TRUE);
  }

  copydesk_worker_free(inline_worker);
  if (run.workers)
    g_ptr_array_free(run.workers, TRUE);
  g_async_queue_unref(run.todo);
  g_mutex_clear(&run.lock);
  g_cond_clear(&run.done_cond);
  return run.status;
}
