/* copydesk — running the copydesk command from tests. */
#pragma once

#include <glib.h>

/* Runs the built copydesk with the NULL-terminated arguments after FIRST on standard input
 * STDIN_DATA (LEN bytes; -1: NUL-terminated); stores stdout and stderr (g_free them) and
 * returns the exit status.  COPYDESK_PLUGIN_PATH covers the build tree's plugins and the test
 * plugins. */
int cli_run(const char *stdin_data, gssize len, char **out, char **err, const char *first, ...)
    G_GNUC_NULL_TERMINATED;
/* Like cli_run() with standard input read from the file STDIN_PATH. */
int cli_run_file(const char *stdin_path, char **out, char **err, const char *first, ...)
    G_GNUC_NULL_TERMINATED;
/* The path of test data file NAME (tests/data/NAME). */
char *cli_data_file(const char *name);
/* A scratch folder removed at exit (with the files in it). */
const char *cli_tmp_dir(void);
/* Number of newline characters in TEXT. */
guint cli_count_lines(const char *text);
