/* copydesk — the progress line on stderr for long runs. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"

#define CHECK_EVERY_DOCS 16                  /* documents between two looks at the clock */
#define CHECK_EVERY_BYTES (4u << 20)         /* …or bytes, for runs of few large documents */
#define REDRAW_INTERVAL_US (G_USEC_PER_SEC / 5) /* at most five lines a second */
#define AUTO_DELAY_US G_USEC_PER_SEC         /* AUTO: nothing during the first second */
#define AUTO_MIN_BYTES (8u * 1000 * 1000)    /* AUTO: a run this large… */
#define AUTO_MIN_FILES 10                    /* …or over this many files shows progress */

struct CopydeskProgress {
  FILE *stream;
  guint64 total;      /* bytes in all input files, 0 when unknown */
  gint64 start_us;
  gint64 next_draw_us; /* no line before this time */
  guint64 docs;
  guint64 bytes;
  guint64 checked_docs;  /* docs at the last look at the clock */
  guint64 checked_bytes; /* bytes at the last look at the clock */
  gsize shown;           /* characters of the line on screen (0: none) */
};

/* The total size of FILES when every one is a regular file, else 0; N_FILES gets their count. */
static guint64
total_size(const char *const *files, guint *n_files)
{
  guint64 total = 0;
  gboolean known = TRUE;
  guint n = 0;
  for (; files && files[n]; n++) {
    struct stat st;
    if (strcmp(files[n], "-") == 0 || stat(files[n], &st) != 0 || !S_ISREG(st.st_mode))
      known = FALSE;
    else
      total += (guint64)st.st_size;
  }
  if (n == 0) { /* standard input: a redirected file still has a size */
    struct stat st;
    known = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    total = known ? (guint64)st.st_size : 0;
  }
  *n_files = n;
  return known ? total : 0;
}

CopydeskProgress *
copydesk_progress_new(CopydeskProgressMode mode, const char *const *files, FILE *stream)
{
  if (mode == COPYDESK_PROGRESS_OFF || stream == NULL)
    return NULL;
  guint n_files = 0;
  guint64 total = total_size(files, &n_files);
  gint64 now = g_get_monotonic_time();
  if (mode == COPYDESK_PROGRESS_AUTO) {
    const char *term = g_getenv("TERM");
    const char *ci = g_getenv("CI");
    /* Not in pipes, logs or CI; nor when the output itself goes to the same terminal. */
    if (!isatty(fileno(stream)) || isatty(STDOUT_FILENO) || (term && strcmp(term, "dumb") == 0) ||
        (ci && *ci))
      return NULL;
    gboolean unknown = total == 0;
    if (!unknown && total < AUTO_MIN_BYTES && n_files < AUTO_MIN_FILES)
      return NULL;
  }
  CopydeskProgress *progress = g_new0(CopydeskProgress, 1);
  progress->stream = stream;
  progress->total = total;
  progress->start_us = now;
  progress->next_draw_us = mode == COPYDESK_PROGRESS_AUTO ? now + AUTO_DELAY_US : now;
  return progress;
}

/* "1:02:03" or "2:03". */
static void
append_duration(GString *out, double seconds)
{
  guint64 s = seconds < 0 ? 0 : (guint64)(seconds + 0.5);
  if (s >= 3600)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600,
                           (guint)(s / 60 % 60), (guint)(s % 60));
  else
    g_string_append_printf(out, "%u:%02u", (guint)(s / 60), (guint)(s % 60));
}

char *
copydesk_progress_format(guint64 docs, guint64 bytes, guint64 total, double seconds)
{
  GString *line = g_string_new("copydesk: ");
  g_string_append_printf(line, "%" G_GUINT64_FORMAT " document%s, %.1f", docs,
                         docs == 1 ? "" : "s", bytes / 1e6);
  if (total > 0) {
    guint percent = bytes >= total ? 100 : (guint)(bytes * 100 / total);
    g_string_append_printf(line, " of %.1f MB (%u%%)", total / 1e6, percent);
  } else {
    g_string_append(line, " MB");
  }
  double rate = seconds > 0 ? bytes / seconds : 0;
  g_string_append_printf(line, ", %.1f MB/s", rate / 1e6);
  if (total > 0) {
    g_string_append(line, ", ETA ");
    if (rate > 0)
      append_duration(line, bytes >= total ? 0 : (total - bytes) / rate);
    else
      g_string_append(line, "-:--");
  }
  return g_string_free(line, FALSE);
}

/* Writes the line over the one on screen. */
static void
draw(CopydeskProgress *progress, gint64 now)
{
  char *line = copydesk_progress_format(progress->docs, progress->bytes, progress->total,
                                        (now - progress->start_us) / (double)G_USEC_PER_SEC);
  gsize len = g_utf8_strlen(line, -1);
  /* Spaces over what a longer previous line left behind. */
  int pad = progress->shown > len ? (int)(progress->shown - len) : 0;
  fprintf(progress->stream, "\r%s%*s", line, pad, "");
  fflush(progress->stream);
  progress->shown = len;
  g_free(line);
}

void
copydesk_progress_update(CopydeskProgress *progress, guint64 bytes)
{
  if (progress == NULL)
    return;
  progress->docs++;
  progress->bytes = bytes;
  if (progress->docs - progress->checked_docs < CHECK_EVERY_DOCS && progress->docs > 1 &&
      bytes - progress->checked_bytes < CHECK_EVERY_BYTES)
    return;
  progress->checked_docs = progress->docs;
  progress->checked_bytes = bytes;
  gint64 now = g_get_monotonic_time();
  if (now < progress->next_draw_us)
    return;
  progress->next_draw_us = now + REDRAW_INTERVAL_US;
  draw(progress, now);
}

void
copydesk_progress_clear(CopydeskProgress *progress)
{
  if (progress == NULL || progress->shown == 0)
    return;
  fprintf(progress->stream, "\r%*s\r", (int)progress->shown, "");
  fflush(progress->stream);
  progress->shown = 0; /* drawn again at the next redraw */
}

void
copydesk_progress_finish(CopydeskProgress *progress)
{
  if (progress == NULL)
    return;
  copydesk_progress_clear(progress);
  g_free(progress);
}
