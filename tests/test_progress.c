/* The progress line's text (core/progress.c) and when a display is made at all; the line on
 * a real run is tested by test_progress.sh. */
#include <stdio.h>
#include <string.h>

#include "progress.h"

static void
check_format(guint64 docs, guint64 bytes, guint64 total, double seconds, const char *expected)
{
  char *line = copydesk_progress_format(docs, bytes, total, seconds);
  g_assert_cmpstr(line, ==, expected);
  g_free(line);
}

static void
test_format(void)
{
  check_format(1, 1500000, 0, 1.0, "copydesk: 1 document, 1.5 MB, 1.5 MB/s");
  check_format(1234, 56700000, 200000000, 4.0,
               "copydesk: 1234 documents, 56.7 of 200.0 MB (28%), 14.2 MB/s, ETA 0:10");
  check_format(7, 1000000, 4601000000, 1.0,
               "copydesk: 7 documents, 1.0 of 4601.0 MB (0%), 1.0 MB/s, ETA 1:16:40");
  check_format(9, 200, 100, 2.0, "copydesk: 9 documents, 0.0 of 0.0 MB (100%), 0.0 MB/s, ETA 0:00");
  check_format(0, 0, 100, 0.0, "copydesk: 0 documents, 0.0 of 0.0 MB (0%), 0.0 MB/s, ETA -:--");
}

static void
test_when_shown(void)
{
  const char *const files[] = {"/dev/null", NULL};
  FILE *file = tmpfile();
  g_assert_nonnull(file);
  g_assert_null(copydesk_progress_new(COPYDESK_PROGRESS_OFF, files, stderr));
  /* AUTO never draws into a file (not a terminal). */
  g_assert_null(copydesk_progress_new(COPYDESK_PROGRESS_AUTO, files, file));
  CopydeskProgress *progress = copydesk_progress_new(COPYDESK_PROGRESS_ON, files, file);
  g_assert_nonnull(progress);
  copydesk_progress_update(progress, 10); /* the first document draws at once */
  copydesk_progress_update(progress, 20); /* within 16 documents: only counted */
  copydesk_progress_finish(progress);
  long size = ftell(file);
  rewind(file);
  char buffer[256] = "";
  size_t n = fread(buffer, 1, sizeof buffer - 1, file);
  g_assert_cmpint((long)n, ==, size);
  g_assert_true(g_str_has_prefix(buffer, "\rcopydesk: 1 document, 0.0 MB, "));
  g_assert_cmpint(buffer[n - 1], ==, '\r'); /* erased at the end */
  g_assert_null(strchr(buffer, '\n'));
  fclose(file);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/progress/format", test_format);
  g_test_add_func("/progress/when_shown", test_when_shown);
  return g_test_run();
}
