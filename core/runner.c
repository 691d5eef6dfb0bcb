/* copydesk — the run loop: read, process, write in order, on N threads. */
#include <errno.h>
#include <string.h>

#include "document_private.h"
#include "runner.h"
#include "stats.h"

typedef struct Job {
  CopydeskDocument *doc;
  char *location;     /* where the document came from, for messages (LOCATION_CAP bytes, kept
                       * with the job) */
  gsize location_cap;
  GString *out;       /* the formatted document */
  GString *messages;  /* lines for stderr */
  gboolean failed;    /* the document carries errors */
  gboolean keep_going; /* FALSE when a stage with on_error: abort failed */
  struct Job *next;   /* the next job of the same batch, or NULL */
} Job;

/* Documents a thread reads, processes and writes together: up to BATCH_DOCS of them, or
 * BATCH_BYTES of text (one document when it is bigger). */
#define BATCH_DOCS 32
#define BATCH_BYTES (64 * 1024)
/* How far reading may run ahead of writing: WINDOW_PER_THREAD batches a thread. */
#define WINDOW_PER_THREAD 8
/* How long a thread tries the run's lock before it sleeps on it, in nanoseconds: about as
 * long as another thread holds it to read and write a batch of short records. */
#define LOCK_SPIN_NS 50000
/* At -j 2 and more, a batch's output is gathered into one write of up to OUT_BUFFER bytes
 * (longer documents are written on their own). */
#define OUT_BUFFER (256 * 1024)
/* A thread keeps the jobs it frees for the next documents it reads, with their buffers, as long
 * as those buffers together hold no more than this many bytes (a buffer grown by a very long
 * document is freed with its job). */
#define SPARE_BYTES (1024 * 1024)

typedef struct Batch {
  Job *first, *last;
  guint64 seq;        /* its place in the input, counted in batches */
  guint owner;        /* the thread that read it, and frees it */
  struct Batch *next; /* in its owner's list of written batches, or of its spare ones */
} Batch;

/* The state the threads share.  Everything from LOCK down is read and written under LOCK,
 * and so are the input, the output and the progress line. */
typedef struct {
  const CopydeskRunOptions *options;
  CopydeskInput *input;
  guint batch_docs; /* documents a batch holds at most (1 at -j 1) */
  guint window;     /* batches read and not yet written, at most */
  GMutex lock;
  GCond room_cond;  /* signalled when writing makes room in the window, or a read ends */
  guint n_waiting;  /* threads waiting on ROOM_COND */
  gboolean input_done;
  gboolean reading;  /* a thread waits for input outside LOCK: no other may read, nor touch INPUT */
  guint64 next_seq;  /* the next batch to read */
  guint64 write_seq; /* the next batch to write */
  Batch **finished;  /* processed batches waiting for their turn, at seq % window */
  Batch **written;   /* for each thread, the batches it read that were written since */
  Job **spare;       /* for each thread, the jobs it freed, kept for reuse (only it uses them) */
  gsize *spare_bytes; /* for each thread, the bytes its spare jobs' buffers hold */
  Batch **spare_batches; /* for each thread, the batches it freed, kept for reuse */
  CopydeskStats *stats; /* --stats: input and write times, or NULL */
  /* Output state. */
  GString *buffer;       /* output not written yet (up to OUT_BUFFER bytes) */
  const char *separator; /* written between two documents, or NULL */
  gboolean wrote_any;
  gboolean output_closed; /* EPIPE: the reader went away */
  gboolean stop;          /* a document with keep_going FALSE was written: nothing more is */
  CopydeskExitStatus status;
} Run;

/* One processing thread: the calling thread is number 0. */
typedef struct {
  Run *run;
  guint index;
  CopydeskWorker *worker;
} Thread;

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

/* The bytes JOB's buffers hold. */
static gsize
job_bytes(const Job *job)
{
  return job->out->allocated_len + job->messages->allocated_len + job->location_cap;
}

/* A job for DOC read by thread OWNER (under the lock), from LOCATION (NULL: DOC's id): one the
 * thread kept, or a new one. */
static Job *
new_job(Run *run, guint owner, CopydeskDocument *doc, const char *location)
{
  Job *job = run->spare[owner];
  if (job != NULL) {
    run->spare[owner] = job->next;
    run->spare_bytes[owner] -= job_bytes(job);
  } else {
    job = g_new(Job, 1);
    job->out = g_string_sized_new(1024);
    job->messages = g_string_new(NULL);
    job->location = NULL;
    job->location_cap = 0;
  }
  job->doc = doc;
  if (location == NULL)
    location = copydesk_document_id(doc);
  gsize size = strlen(location) + 1;
  if (size > job->location_cap) {
    job->location_cap = MAX(size, 64);
    g_free(job->location);
    job->location = g_malloc(job->location_cap);
  }
  memcpy(job->location, location, size);
  job->failed = job->keep_going = FALSE;
  job->next = NULL;
  return job;
}

/* Frees JOB, its document and its buffers. */
static void
free_job(Job *job)
{
  copydesk_document_free(job->doc);
  g_free(job->location);
  g_string_free(job->out, TRUE);
  g_string_free(job->messages, TRUE);
  g_free(job);
}

/* Hands every batch of the list BATCH (chained by NEXT), which thread OWNER read, back to
 * OWNER's spare lists for its next documents, with their jobs while the jobs' buffers fit
 * in SPARE_BYTES (the jobs beyond are freed). */
static void
free_batches(Run *run, guint owner, Batch *batch)
{
  while (batch != NULL) {
    Batch *next = batch->next;
    for (Job *job = batch->first, *after; job != NULL; job = after) {
      after = job->next;
      if (run->spare_bytes[owner] + job_bytes(job) > SPARE_BYTES) {
        free_job(job);
        continue;
      }
      copydesk_document_free(job->doc);
      g_string_truncate(job->out, 0);
      g_string_truncate(job->messages, 0);
      run->spare_bytes[owner] += job_bytes(job);
      job->next = run->spare[owner];
      run->spare[owner] = job;
    }
    batch->next = run->spare_batches[owner];
    run->spare_batches[owner] = batch;
    batch = next;
  }
}

/* Frees the jobs and batches thread OWNER kept. */
static void
free_spare(Run *run, guint owner)
{
  for (Job *job = run->spare[owner], *next; job != NULL; job = next) {
    next = job->next;
    job->doc = NULL;
    free_job(job);
  }
  run->spare[owner] = NULL;
  run->spare_bytes[owner] = 0;
  for (Batch *batch = run->spare_batches[owner], *next; batch != NULL; batch = next) {
    next = batch->next;
    g_free(batch);
  }
  run->spare_batches[owner] = NULL;
}

/* Takes the run's lock, trying a few times before sleeping on it: the other threads hold it
 * only to read or write a batch, and a sleeping thread is expensive to wake. */
static void
lock_run(Run *run)
{
  gint64 until = 0;
  for (guint i = 1;; i++) {
    if (g_mutex_trylock(&run->lock))
      return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 16 == 0) { /* the clock is read now and then: it costs more than a pause */
      gint64 now = copydesk_stats_now();
      if (until == 0)
        until = now + LOCK_SPIN_NS;
      else if (now >= until)
        break;
    }
  }
  g_mutex_lock(&run->lock);
}

static void
raise_status(Run *run, CopydeskExitStatus status)
{
  if (status > run->status)
    run->status = status;
}

/* Writing the output failed (errno says why): the output is closed; a reader that went away
 * (EPIPE) ends the run quietly, anything else is reported once. */
static void
output_failed(Run *run)
{
  run->output_closed = TRUE;
  if (errno == EPIPE)
    return;
  copydesk_progress_clear(run->options->progress);
  g_printerr("copydesk: cannot write the output: %s\n", g_strerror(errno));
  raise_status(run, COPYDESK_EXIT_IO);
}

/* Writes LEN bytes to the output (through stdio). */
static void
write_bytes(Run *run, const char *data, gsize len)
{
  if (!run->output_closed && len > 0 && fwrite(data, 1, len, run->options->out) != len)
    output_failed(run);
}

/* Hands what stdio holds of the output to the system (fflush). */
static void
push_output(Run *run)
{
  if (!run->output_closed && fflush(run->options->out) != 0)
    output_failed(run);
}

/* Writes the output gathered in the buffer. */
static void
flush_buffer(Run *run)
{
  write_bytes(run, run->buffer->str, run->buffer->len);
  g_string_truncate(run->buffer, 0);
}

/* Adds LEN bytes to the output, through the buffer when they fit in it. */
static void
add_output(Run *run, const char *data, gsize len)
{
  if (run->buffer->len + len > OUT_BUFFER)
    flush_buffer(run);
  if (len >= OUT_BUFFER) {
    write_bytes(run, data, len);
    return;
  }
  /* the buffer was made with room for OUT_BUFFER bytes and a NUL: copied there without a call */
  GString *buffer = run->buffer;
  memcpy(buffer->str + buffer->len, data, len);
  buffer->len += len;
  buffer->str[buffer->len] = '\0';
}

/* Adds a finished JOB to the output (separator, output) and writes its stderr messages,
 * after the output before them has gone out. */
static void
write_job(Run *run, Job *job)
{
  if (job->out->len > 0) {
    if (run->wrote_any && run->separator)
      add_output(run, run->separator, strlen(run->separator));
    add_output(run, job->out->str, job->out->len);
    run->wrote_any = TRUE;
  }
  if (job->messages->len > 0) {
    flush_buffer(run);
    push_output(run);
    copydesk_progress_clear(run->options->progress);
    fputs(job->messages->str, stderr);
  }
  if (job->failed)
    raise_status(run, COPYDESK_EXIT_DOCUMENT);
}

/* Writes the jobs of BATCH in order, up to the first that stops the run (under the lock),
 * with one write for the documents that fit in the buffer. */
static void
write_batch(Run *run, Batch *batch)
{
  gint64 t0 = run->stats ? copydesk_stats_now() : 0;
  for (Job *job = batch->first; job != NULL && !run->stop; job = job->next) {
    write_job(run, job);
    run->stop = !job->keep_going;
  }
  /* A batch of one document (-j 1) stays in the buffer while the next one is already read
   * (a file, a busy pipe: one write for many documents).  Before reading may wait for input,
   * everything written so far goes out, through stdio's buffer too, so that a reader of the
   * output (copydesk as a filter between two programs) never waits for it. */
  gboolean may_wait = run->reading || !copydesk_input_next_is_buffered(run->input);
  if (run->batch_docs > 1 || may_wait)
    flush_buffer(run);
  if (may_wait)
    push_output(run);
  if (run->stats)
    run->stats->write_ns += copydesk_stats_now() - t0;
}

/* Hands the processed BATCH back (under the lock): it and every finished batch after it
 * are written when their turn has come, and put on their owners' lists to free. */
static void
finish_batch(Run *run, Batch *batch)
{
  run->finished[batch->seq % run->window] = batch;
  gboolean moved = FALSE;
  Batch *head;
  while ((head = run->finished[run->write_seq % run->window]) != NULL) {
    run->finished[run->write_seq % run->window] = NULL;
    write_batch(run, head);
    head->next = run->written[head->owner];
    run->written[head->owner] = head;
    run->write_seq++;
    moved = TRUE;
  }
  if (moved && run->n_waiting > 0)
    g_cond_broadcast(&run->room_cond);
}

/* TRUE when no more batches are to be read. */
static gboolean
reading_over(const Run *run)
{
  return run->input_done || run->stop || run->output_closed;
}

/* Reads the next batch for thread OWNER (under the lock): up to BATCH_DOCS documents or
 * BATCH_BYTES of text, fewer when reading more would wait for input; NULL at the end of the
 * input. */
static Batch *
read_batch(Run *run, guint owner)
{
  Batch *batch = NULL;
  guint n = 0;
  gsize bytes = 0;
  gboolean buffered = copydesk_input_next_is_buffered(run->input);
  while (n < run->batch_docs && bytes < BATCH_BYTES) {
    const char *location = NULL;
    GError *error = NULL;
    gint64 t0 = run->stats ? copydesk_stats_now() : 0;
    /* Reading that may wait for input (a pipe) waits outside the lock, so that the other
     * threads write what they finish meanwhile; a batch starts with such a read at most. */
    CopydeskDocument *doc;
    if (buffered) {
      doc = copydesk_input_next(run->input, &location, &error);
      if (run->stats)
        run->stats->input_ns += copydesk_stats_now() - t0;
    } else {
      run->reading = TRUE;
      g_mutex_unlock(&run->lock);
      doc = copydesk_input_next(run->input, &location, &error);
      gint64 t1 = run->stats ? copydesk_stats_now() : 0;
      g_mutex_lock(&run->lock);
      run->reading = FALSE;
      if (run->n_waiting > 0)
        g_cond_broadcast(&run->room_cond);
      if (run->stats)
        run->stats->input_ns += t1 - t0;
    }
    if (doc == NULL) {
      if (error == NULL) {
        run->input_done = TRUE;
        break;
      }
      copydesk_progress_clear(run->options->progress);
      g_printerr("copydesk: %s\n", error->message);
      g_clear_error(&error);
      raise_status(run, COPYDESK_EXIT_IO);
      continue;
    }
    copydesk_progress_update(run->options->progress, copydesk_input_bytes_read(run->input));
    Job *job = new_job(run, owner, doc, location);
    if (batch == NULL) {
      batch = run->spare_batches[owner];
      if (batch != NULL)
        run->spare_batches[owner] = batch->next;
      else
        batch = g_new(Batch, 1);
      *batch = (Batch){.first = NULL};
      batch->seq = run->next_seq++;
      batch->owner = owner;
      batch->first = job;
    } else {
      batch->last->next = job;
    }
    batch->last = job;
    n++;
    gsize len;
    copydesk_document_original(doc, &len);
    bytes += len;
    /* a batch does not wait for input to fill up, nor go on once the run is over (another
     * thread may have stopped it while this one waited): what has come is processed now */
    buffered = copydesk_input_next_is_buffered(run->input);
    if (!buffered || reading_over(run))
      break;
  }
  return batch;
}

/* The loop of every processing thread: hand back the last batch (writing what is due),
 * read the next one, process it outside the lock, until the input ends.  A thread waits
 * only when reading would run more than a window of batches ahead of writing (the oldest
 * batch is still being processed), while another thread waits for input, or for the lock
 * itself. */
static void
thread_loop(Thread *thread)
{
  Run *run = thread->run;
  gboolean quiet = run->options->quiet;
  Batch *batch = NULL;
  copydesk_document_thread_reuse(TRUE); /* a thread frees the documents it reads */
  lock_run(run);
  for (;;) {
    if (batch != NULL)
      finish_batch(run, batch);
    while (!reading_over(run) && (run->reading || run->next_seq - run->write_seq >= run->window)) {
      run->n_waiting++;
      g_cond_wait(&run->room_cond, &run->lock);
      run->n_waiting--;
    }
    batch = reading_over(run) ? NULL : read_batch(run, thread->index);
    Batch *written = run->written[thread->index];
    run->written[thread->index] = NULL;
    g_mutex_unlock(&run->lock);
    free_batches(run, thread->index, written); /* freed by the thread that allocated them */
    if (batch == NULL)
      break;
    for (Job *job = batch->first; job != NULL; job = job->next)
      run_job(thread->worker, job, quiet);
    lock_run(run);
  }
}

static gpointer
thread_main(gpointer data)
{
  thread_loop(data);
  copydesk_document_thread_reuse(FALSE);
  return NULL;
}

CopydeskExitStatus
copydesk_run(CopydeskPipeline *pipeline, CopydeskInput *input, const CopydeskRunOptions *options)
{
  guint jobs = MAX(options->jobs, 1);
  Run run = {
      .options = options,
      .input = input,
      .batch_docs = jobs == 1 ? 1 : BATCH_DOCS,
      .window = jobs * WINDOW_PER_THREAD,
      .status = COPYDESK_EXIT_OK,
  };
  GError *error = NULL;
  gint64 started = copydesk_stats_now();
  GPtrArray *worker_stats = NULL; /* --stats: each thread's CopydeskStats */
  if (options->stats) {
    run.stats = copydesk_stats_new(pipeline->stages->len);
    worker_stats = g_ptr_array_new_with_free_func((GDestroyNotify)copydesk_stats_free);
  }
  /* One worker a thread, each with its own plugin instances; thread 0 (this one) also makes
   * the output's frame. */
  Thread *threads = g_new0(Thread, jobs);
  for (guint i = 0; i < jobs; i++) {
    threads[i] = (Thread){&run, i, copydesk_worker_new(pipeline, &error)};
    if (threads[i].worker == NULL) {
      g_printerr("copydesk: %s\n", error->message);
      g_error_free(error);
      for (guint k = 0; k < i; k++)
        copydesk_worker_free(threads[k].worker);
      g_free(threads);
      if (worker_stats)
        g_ptr_array_free(worker_stats, TRUE);
      copydesk_stats_free(run.stats);
      return COPYDESK_EXIT_USAGE;
    }
    if (worker_stats) {
      CopydeskStats *stats = copydesk_stats_new(pipeline->stages->len);
      g_ptr_array_add(worker_stats, stats);
      copydesk_worker_set_stats(threads[i].worker, stats);
    }
  }
  CopydeskWorker *frame_worker = threads[0].worker;

  run.separator = copydesk_worker_separator(frame_worker);
  GString *frame = g_string_new(NULL);
  if (!copydesk_worker_header(frame_worker, frame, &error)) {
    g_printerr("copydesk: output header: %s\n", error->message);
    g_clear_error(&error);
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  }
  write_bytes(&run, frame->str, frame->len);

  g_mutex_init(&run.lock);
  g_cond_init(&run.room_cond);
  run.finished = g_new0(Batch *, run.window);
  run.written = g_new0(Batch *, jobs);
  run.spare = g_new0(Job *, jobs);
  run.spare_bytes = g_new0(gsize, jobs);
  run.spare_batches = g_new0(Batch *, jobs);
  run.buffer = g_string_sized_new(OUT_BUFFER);
  GThread **spawned = g_new0(GThread *, jobs);
  for (guint i = 1; i < jobs; i++)
    spawned[i] = g_thread_new("copydesk-worker", thread_main, &threads[i]);
  thread_loop(&threads[0]);
  for (guint i = 1; i < jobs; i++)
    g_thread_join(spawned[i]);
  g_free(spawned);
  flush_buffer(&run); /* what the last batch left in it */
  /* Every batch was written once the last thread handed its own back; the lists of threads
   * that had ended by then are left. */
  for (guint i = 0; i < jobs; i++) {
    free_batches(&run, i, run.written[i]);
    free_spare(&run, i);
  }
  copydesk_document_thread_reuse(FALSE);
  g_free(run.written);
  g_free(run.spare);
  g_free(run.spare_bytes);
  g_free(run.spare_batches);
  g_free(run.finished);
  g_string_free(run.buffer, TRUE);
  g_mutex_clear(&run.lock);
  g_cond_clear(&run.room_cond);

  copydesk_progress_clear(options->progress); /* the footer's messages start on a clean line */
  if (run.stats) {
    for (guint i = 0; i < worker_stats->len; i++)
      copydesk_stats_add(run.stats, worker_stats->pdata[i]);
  }

  g_string_truncate(frame, 0);
  if (!copydesk_worker_footer(frame_worker, frame, &error)) {
    g_printerr("copydesk: output footer: %s\n", error->message);
    g_clear_error(&error);
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  }
  write_bytes(&run, frame->str, frame->len);
  g_string_free(frame, TRUE);
  push_output(&run);
  if (run.stop)
    raise_status(&run, COPYDESK_EXIT_DOCUMENT);
  if (run.stats) {
    copydesk_stats_print(run.stats, pipeline, jobs, copydesk_stats_now() - started, stderr);
    copydesk_stats_free(run.stats);
    g_ptr_array_free(worker_stats, TRUE);
  }

  for (guint i = 0; i < jobs; i++)
    copydesk_worker_free(threads[i].worker);
  g_free(threads);
  return run.status;
}
