/* End-to-end tests of the copydesk command: stdin → stdout, framing, passthrough, ordering
 * with workers, exit statuses and sub-commands. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <copydesk/copydesk.h>

#include "cli_runner.h"

static void
test_text_stdin_to_jsonl(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = cli_run("Rain  fell\r\non Tuesday.", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"stdin\",\"text\":\"Rain  fell\\r\\non Tuesday.\""));
  g_assert_true(strstr(out, "\"clean_text\":\"Rain fell\\non Tuesday.\"") != NULL ||
                strstr(out, "\"clean_text\":\"Rain fell on Tuesday.\"") != NULL);
  g_assert_cmpuint(cli_count_lines(out), ==, 1);
  g_free(out);
  g_free(err);
  g_free(config);
}

/* Form feeds on a line of their own separate documents in one stream. */
static void
test_form_feed_separates_documents(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = cli_run("One.\n\f\nTwo.\n\f\nThree.\n", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 4); /* three records and the empty tail */
  g_assert_true(g_str_has_prefix(lines[0], "{\"id\":\"stdin\",\"text\":\"One.\\n\""));
  g_assert_true(g_str_has_prefix(lines[1], "{\"id\":\"stdin#2\",\"text\":\"Two.\\n\""));
  g_assert_true(g_str_has_prefix(lines[2], "{\"id\":\"stdin#3\",\"text\":\"Three.\\n\""));
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  g_free(config);
}

/* 1,000 JSONL records through -j 2 come back 1,000, in order, every input field intact. */
static void
test_jsonl_passthrough_ordered_with_workers(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  GString *input = g_string_new(NULL);
  for (int i = 0; i < 1000; i++) {
    /* Lengths vary so that workers finish out of order. */
    GString *text = g_string_new(NULL);
    for (int k = 0; k < (i * 37) % 400; k++)
      g_string_append(text, "word  ");
    g_string_append_printf(input,
                           "{\"n\":%d,\"score\":1.50e+3,\"tags\":[\"a\",{\"b\":null}],\"text\":\"%s\","
                           "\"note\":\"caf\\u00e9\"}\n",
                           i, text->str);
    g_string_free(text, TRUE);
  }
  char *out, *err;
  int status = cli_run(input->str, input->len, &out, &err, "-c", config, "--from", "jsonl", "-j",
                       "2", NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, "");
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 1001);
  for (int i = 0; i < 1000; i++) {
    char *prefix = g_strdup_printf("{\"id\":\"stdin:%d\",\"n\":%d,\"score\":1.50e+3,"
                                   "\"tags\":[\"a\",{\"b\":null}],\"text\":\"", i + 1, i);
    g_assert_true(g_str_has_prefix(lines[i], prefix));
    g_assert_nonnull(strstr(lines[i], "\"note\":\"caf\\u00e9\""));
    g_free(prefix);
  }
  g_assert_cmpstr(lines[1000], ==, "");
  /* The same output as one worker gives. */
  char *out1, *err1;
  g_assert_cmpint(cli_run(input->str, input->len, &out1, &err1, "-c", config, "--from", "jsonl",
                          NULL), ==, 0);
  g_assert_cmpstr(out1, ==, out);
  g_free(out1);
  g_free(err1);
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  g_string_free(input, TRUE);
  g_free(config);
}

/* A failing stage: that document is emitted with "errors", the others are not touched, exit 1. */
static void
test_failed_document_still_emitted(void)
{
  char *config = cli_data_file("faulty.yaml");
  const char *input = "{\"id\":\"a\",\"text\":\"fine\"}\n"
                      "{\"id\":\"b\",\"text\":\"FAIL here\"}\n"
                      "{\"id\":\"c\",\"text\":\"fine too\"}\n";
  char *out, *err;
  int status = cli_run(input, -1, &out, &err, "-c", config, "-j", "2", NULL);
  g_assert_cmpint(status, ==, 1);
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 4);
  g_assert_cmpstr(lines[0], ==, "{\"id\":\"a\",\"text\":\"fine\"}");
  g_assert_cmpstr(lines[1], ==,
                  "{\"id\":\"b\",\"text\":\"FAIL here\",\"errors\":[{\"stage\":\"faulty\","
                  "\"message\":\"found 'FAIL', as told to fail\"}]}");
  g_assert_cmpstr(lines[2], ==, "{\"id\":\"c\",\"text\":\"fine too\"}");
  g_assert_cmpstr(err, ==, "copydesk: stdin:2: faulty: found 'FAIL', as told to fail\n");
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  g_free(config);
}

/* on_error: abort emits the failing document, then stops. */
static void
test_on_error_abort_stops_the_run(void)
{
  char *config = cli_data_file("faulty-abort.yaml");
  const char *input = "{\"text\":\"one\"}\n{\"text\":\"FAIL\"}\n{\"text\":\"three\"}\n";
  char *out, *err;
  int status = cli_run(input, -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 1);
  g_assert_cmpuint(cli_count_lines(out), ==, 2);
  g_assert_nonnull(strstr(out, "\"errors\""));
  g_assert_null(strstr(out, "three"));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* The same at -j 2, where documents go to the workers in batches: nothing after the
 * failed document is written, even from its own batch. */
static void
test_on_error_abort_with_workers(void)
{
  char *config = cli_data_file("faulty-abort.yaml");
  GString *input = g_string_new(NULL);
  for (int i = 0; i < 300; i++)
    g_string_append_printf(input, "{\"n\":%d,\"text\":\"%s\"}\n", i, i == 40 ? "FAIL" : "fine");
  char *out, *err;
  int status = cli_run(input->str, input->len, &out, &err, "-c", config, "-j", "2", NULL);
  g_assert_cmpint(status, ==, 1);
  g_assert_cmpuint(cli_count_lines(out), ==, 41);
  g_assert_nonnull(strstr(out, "\"n\":40,"));
  g_assert_null(strstr(out, "\"n\":41,"));
  g_free(out);
  g_free(err);
  g_string_free(input, TRUE);
  g_free(config);
}

/* Bad JSONL lines yield error records; the rest is processed. */
static void
test_bad_jsonl_lines_yield_error_records(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  const char *input = "{\"text\":\"good\"}\nnot json\n{\"body\":\"no text\"}\n{\"text\":5}\n"
                      "\n{\"text\":\"also good\"}\n";
  char *out, *err;
  int status = cli_run(input, -1, &out, &err, "-c", config, "--from", "jsonl", NULL);
  g_assert_cmpint(status, ==, 1);
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 6); /* five records (the blank line is none) */
  g_assert_null(strstr(lines[0], "errors"));
  g_assert_nonnull(strstr(lines[1], "\"errors\":[{\"stage\":\"input\",\"message\":\"stdin:2: not a JSON object"));
  g_assert_nonnull(strstr(lines[2], "\"body\":\"no text\""));
  g_assert_nonnull(strstr(lines[2], "has no 'text' field"));
  g_assert_nonnull(strstr(lines[3], "\"text\":5"));
  g_assert_nonnull(strstr(lines[3], "that is not a string"));
  g_assert_nonnull(strstr(lines[4], "\"id\":\"stdin:6\""));
  g_assert_null(strstr(lines[4], "errors"));
  g_assert_nonnull(strstr(err, "stdin:2: not a JSON object"));
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  g_free(config);
}

/* Invalid UTF-8 becomes U+FFFD in the cleaned text; the original is escaped, never invalid. */
static void
test_invalid_utf8_input(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = cli_run("caf\xE9 ok", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_true(g_utf8_validate(out, -1, NULL));
  g_assert_nonnull(strstr(out, "\"text\":\"caf\\ufffd ok\""));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* --to replaces the output plugin: json writes one array. */
static void
test_to_replaces_output(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = cli_run("A.\n\f\nB.\n", -1, &out, &err, "-c", config, "--to", "json", NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_true(g_str_has_prefix(out, "["));
  g_assert_true(g_str_has_suffix(out, "]\n"));
  g_assert_nonnull(strstr(out, "\"stdin#2\""));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* Configuration errors exit 2 with one line naming file:line:col. */
static void
test_configuration_errors_exit_2(void)
{
  char *out, *err;
  char *bad = g_build_filename(cli_tmp_dir(), "bad.yaml", NULL);
  g_assert_true(g_file_set_contents(bad, "x:\n  - [", -1, NULL));
  g_assert_cmpint(cli_run("", 0, &out, &err, "check", bad, NULL), ==, 2);
  char *expected = g_strdup_printf("copydesk: %s:3:1: ", bad);
  g_assert_true(g_str_has_prefix(err, expected));
  g_assert_cmpuint(cli_count_lines(err), ==, 1);
  g_free(expected);
  g_free(out);
  g_free(err);

  char *evil = cli_data_file("evil.yaml");
  g_assert_cmpint(cli_run("x", -1, &out, &err, "-c", evil, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "evil.yaml:3:13: '../evil' is not a plugin name"));
  g_assert_cmpstr(out, ==, "");
  g_free(out);
  g_free(err);

  char *unknown = cli_data_file("unknown-option.yaml");
  g_assert_cmpint(cli_run("x", -1, &out, &err, "-c", unknown, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "unknown-option.yaml:4:7: plugin 'clean' has no option 'normalise'"));
  g_free(out);
  g_free(err);

  char *failing = cli_data_file("failing-create.yaml");
  g_assert_cmpint(cli_run("x", -1, &out, &err, "-c", failing, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "failing-create.yaml:2:13: plugin 'failing_create' could not start: "
                               "model file"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(cli_run("x", -1, &out, &err, "-j", "0", NULL), ==, 2);
  g_assert_true(g_str_has_prefix(err, "copydesk: -j must be from 1 to 256, not 0\n"));
  g_free(out);
  g_free(err);
  g_assert_cmpint(cli_run("x", -1, &out, &err, "--from", "xml", NULL), ==, 2);
  g_free(out);
  g_free(err);
  g_assert_cmpint(cli_run("x", -1, &out, &err, "--no-such-option", NULL), ==, 2);
  g_free(out);
  g_free(err);
  char *config = cli_data_file("clean-jsonl.yaml");
  g_assert_cmpint(cli_run("x", -1, &out, &err, "-c", config, "--to", "nowhere", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "--to: no plugin named 'nowhere'"));
  g_free(out);
  g_free(err);
  g_free(config);
  g_free(failing);
  g_free(unknown);
  g_free(evil);
  g_free(bad);
}

/* A missing input file is an I/O error (exit 3); the other files are still processed. */
static void
test_missing_file_exit_3(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *good = g_build_filename(cli_tmp_dir(), "good.txt", NULL);
  g_assert_true(g_file_set_contents(good, "Fine.", -1, NULL));
  char *out, *err;
  int status = cli_run("", 0, &out, &err, "-c", config, "/nonexistent/file.txt", good, NULL);
  g_assert_cmpint(status, ==, 3);
  g_assert_nonnull(strstr(err, "copydesk: /nonexistent/file.txt: cannot open: "));
  g_assert_cmpuint(cli_count_lines(out), ==, 1);
  g_free(out);
  g_free(err);
  g_free(good);
  g_free(config);
}

/* --stats: the same output, and on stderr a table with every stage, at -j 1 and -j 2. */
static void
test_stats_table(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  GString *input = g_string_new(NULL);
  for (int i = 0; i < 50; i++)
    g_string_append_printf(input, "{\"text\":\"Story %d. Markets rose on Monday.\"}\n", i);
  char *plain, *plain_err;
  g_assert_cmpint(cli_run(input->str, input->len, &plain, &plain_err, "-c", config, "--from",
                          "jsonl", NULL), ==, 0);
  const char *jobs[] = {"1", "2"};
  for (guint j = 0; j < G_N_ELEMENTS(jobs); j++) {
    char *out, *err;
    g_assert_cmpint(cli_run(input->str, input->len, &out, &err, "-c", config, "--from", "jsonl",
                            "--stats", "-j", jobs[j], NULL), ==, 0);
    g_assert_cmpstr(out, ==, plain);
    g_assert_true(g_str_has_prefix(err, "copydesk: 50 documents, 0.00 MB in "));
    g_assert_nonnull(strstr(err, j == 0 ? "1 thread)\n" : "2 threads)\n"));
    const char *rows[] = {"\n  input (read, parse) ", "\n  clean ", "\n  sentences ",
                          "\n  output jsonl (format) ", "\n  write "};
    for (guint r = 0; r < G_N_ELEMENTS(rows); r++)
      g_assert_nonnull(strstr(err, rows[r]));
    g_free(out);
    g_free(err);
  }
  g_free(plain);
  g_free(plain_err);
  g_string_free(input, TRUE);
  g_free(config);
}

/* The default pipeline runs without -c. */
static void
test_default_pipeline(void)
{
  char *out, *err;
  int status = cli_run("Markets rose on Monday.", -1, &out, &err, NULL, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"stdin\""));
  g_free(out);
  g_free(err);
}

/* --color sets the text output's colour; other outputs ignore it. */
static void
test_color_option(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *out, *err;
  g_assert_cmpint(cli_run("Rain fell.", -1, &out, &err, "-c", config, "--to", "text", "--color",
                          "always", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "\033["));
  g_free(out);
  g_free(err);
  g_assert_cmpint(cli_run("Rain fell.", -1, &out, &err, "-c", config, "--to", "text", "--color",
                          "never", NULL), ==, 0);
  g_assert_null(strstr(out, "\033["));
  g_free(out);
  g_free(err);
  g_assert_cmpint(cli_run("Rain fell.", -1, &out, &err, "-c", config, "--color", "always", NULL),
                  ==, 0); /* jsonl has no colour */
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"stdin\""));
  g_free(out);
  g_free(err);
  g_assert_cmpint(cli_run("x", -1, &out, &err, "--color", "sometimes", NULL), ==, 2);
  g_assert_true(g_str_has_prefix(err, "copydesk: --color must be auto, always or never"));
  g_free(out);
  g_free(err);
  g_free(config);
}

static void
test_subcommands(void)
{
  char *out, *err;
  g_assert_cmpint(cli_run("", 0, &out, &err, "plugins", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "clean "));
  g_assert_nonnull(strstr(out, "jsonl "));
  g_assert_nonnull(strstr(out, "transform"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(cli_run("", 0, &out, &err, "describe", "clean", NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "clean "));
  g_assert_nonnull(strstr(out, "Options:"));
  g_assert_nonnull(strstr(out, "normalize"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(cli_run("", 0, &out, &err, "describe", "nothing", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "no plugin named 'nothing'"));
  g_free(out);
  g_free(err);

  char *config = cli_data_file("clean-jsonl.yaml");
  g_assert_cmpint(cli_run("", 0, &out, &err, "check", config, NULL), ==, 0);
  g_assert_nonnull(strstr(out, ": ok: clean → jsonl"));
  g_free(out);
  g_free(err);
  g_free(config);

  g_assert_cmpint(cli_run("", 0, &out, &err, "--help", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "--jobs"));
  g_assert_nonnull(strstr(out, "copydesk check PIPELINE"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(cli_run("", 0, &out, &err, "--version", NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "copydesk " COPYDESK_VERSION));
  g_free(out);
  g_free(err);
}

/* A reader that goes away ends the run quietly. */
static void
test_closed_pipe_is_quiet(void)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *script = g_strdup_printf(
      "i=0; while [ $i -lt 3000 ]; do echo '{\"text\":\"Some words here.\"}'; i=$((i+1)); done "
      "| COPYDESK_PLUGIN_PATH='%s/plugins' '%s' -c '%s' --from jsonl | head -c 10 >/dev/null; "
      "echo ${PIPESTATUS[1]}",
      g_getenv("COPYDESK_BUILD_ROOT"), g_getenv("COPYDESK_BINARY"), config);
  char *argv[] = {"/bin/bash", "-c", script, NULL};
  char *out = NULL, *err = NULL;
  int wait_status;
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &wait_status, NULL));
  g_assert_cmpstr(err, ==, "");
  g_assert_cmpstr(out, ==, "0\n");
  g_free(out);
  g_free(err);
  g_free(script);
  g_free(config);
}

/* A long document first, then thousands of short ones: the threads that take the short
 * ones run ahead until the reading window is full and wait for the long one to be written;
 * the output (the long document's written on its own, past the output buffer) is the same
 * as with one thread, at -j 2 and -j 3. */
static void
test_workers_wait_for_a_long_document(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  GString *input = g_string_new("{\"n\":0,\"text\":\"");
  for (int k = 0; k < 40000; k++)
    g_string_append(input, "Some words in a sentence. ");
  g_string_append(input, "\"}\n");
  for (int i = 1; i <= 3000; i++)
    g_string_append_printf(input, "{\"n\":%d,\"text\":\"Short one %d. And two.\"}\n", i, i);
  char *out1, *err1;
  g_assert_cmpint(cli_run(input->str, input->len, &out1, &err1, "-c", config, "--from", "jsonl",
                          NULL), ==, 0);
  g_assert_cmpuint(cli_count_lines(out1), ==, 3001);
  g_assert_cmpuint(strlen(out1), >, 1000000);
  const char *jobs[] = {"2", "3"};
  for (guint j = 0; j < G_N_ELEMENTS(jobs); j++) {
    char *out, *err;
    g_assert_cmpint(cli_run(input->str, input->len, &out, &err, "-c", config, "--from", "jsonl",
                            "-j", jobs[j], NULL), ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_assert_true(strcmp(out, out1) == 0);
    g_free(out);
    g_free(err);
  }
  g_free(out1);
  g_free(err1);
  g_string_free(input, TRUE);
  g_free(config);
}

/* Spawns copydesk -c clean-jsonl.yaml --from jsonl -j JOBS with pipes for its standard
 * input and output (*IN_FD, *OUT_FD); its stderr goes to /dev/null.  The child's pid. */
static GPid
spawn_jsonl_filter(const char *jobs, int *in_fd, int *out_fd)
{
  char *config = cli_data_file("clean-jsonl.yaml");
  char *plugin_path = g_strdup_printf("%s/plugins", g_getenv("COPYDESK_BUILD_ROOT"));
  char **env = g_environ_setenv(g_get_environ(), "COPYDESK_PLUGIN_PATH", plugin_path, TRUE);
  char *argv[] = {(char *)g_getenv("COPYDESK_BINARY"), "-c", config, "--from", "jsonl", "-j",
                  (char *)jobs, NULL};
  GPid pid;
  GError *error = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, argv, env,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                         NULL, NULL, &pid, in_fd, out_fd, NULL, &error));
  g_assert_no_error(error);
  g_strfreev(env);
  g_free(plugin_path);
  g_free(config);
  return pid;
}

/* A reader that stops reading the output stops the run from reading its input: at -j 2,
 * copydesk takes a few MB of an endless stream, not the stream (memory stays bounded). */
static void
test_stalled_output_stops_reading(void)
{
  int in_fd, out_fd;
  GPid pid = spawn_jsonl_filter("2", &in_fd, &out_fd);
  g_assert_cmpint(fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK), ==, 0);
  GString *chunk = g_string_new(NULL); /* 64 records of 1 KB */
  for (int i = 0; i < 64; i++) {
    g_string_append(chunk, "{\"text\":\"");
    for (int k = 0; k < 100; k++)
      g_string_append(chunk, "Some words");
    g_string_append(chunk, "\"}\n");
  }
  const gsize limit = 64 * 1024 * 1024;
  gsize taken = 0; /* bytes copydesk has read from the pipe (or the pipe holds) */
  gsize offset = 0;
  while (taken < limit) {
    ssize_t n = write(in_fd, chunk->str + offset, chunk->len - offset);
    if (n > 0) {
      taken += (gsize)n;
      offset = (offset + (gsize)n) % chunk->len;
      continue;
    }
    g_assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    struct pollfd p = {.fd = in_fd, .events = POLLOUT};
    if (poll(&p, 1, 1000) == 0)
      break; /* copydesk has read nothing for a second: it waits for its output to go */
  }
  g_assert_cmpuint(taken, <, 16 * 1024 * 1024);
  kill(pid, SIGKILL);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  close(in_fd);
  close(out_fd);
  g_string_free(chunk, TRUE);
}

/* Reads from FD until a newline or for at most TIMEOUT_MS in all; the bytes read. */
static GString *
read_line_within(int fd, int timeout_ms)
{
  GString *got = g_string_new(NULL);
  gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  while (strchr(got->str, '\n') == NULL) {
    gint64 left = (end - g_get_monotonic_time()) / 1000;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    g_string_append_len(got, buf, n);
  }
  return got;
}

/* As a filter between two programs: a record's output comes out before the next record is
 * written (nothing waits in a batch or a buffer for more input), at -j 1 and -j 2. */
static void
test_output_does_not_wait_for_input(void)
{
  const char *jobs[] = {"1", "2"};
  for (guint j = 0; j < G_N_ELEMENTS(jobs); j++) {
    int in_fd, out_fd;
    GPid pid = spawn_jsonl_filter(jobs[j], &in_fd, &out_fd);
    const char *first = "{\"id\":\"a\",\"text\":\"Rain fell.\"}\n";
    g_assert_cmpint(write(in_fd, first, strlen(first)), ==, (gssize)strlen(first));
    GString *line = read_line_within(out_fd, 20000);
    g_assert_true(g_str_has_prefix(line->str, "{\"id\":\"a\""));
    g_assert_nonnull(strchr(line->str, '\n'));
    g_string_free(line, TRUE);
    const char *second = "{\"id\":\"b\",\"text\":\"Snow fell.\"}\n";
    g_assert_cmpint(write(in_fd, second, strlen(second)), ==, (gssize)strlen(second));
    close(in_fd);
    line = read_line_within(out_fd, 20000);
    g_assert_true(g_str_has_prefix(line->str, "{\"id\":\"b\""));
    g_string_free(line, TRUE);
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_spawn_close_pid(pid);
    close(out_fd);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli/text_stdin_to_jsonl", test_text_stdin_to_jsonl);
  g_test_add_func("/cli/form_feed_separates_documents", test_form_feed_separates_documents);
  g_test_add_func("/cli/jsonl_passthrough_ordered_with_workers",
                  test_jsonl_passthrough_ordered_with_workers);
  g_test_add_func("/cli/failed_document_still_emitted", test_failed_document_still_emitted);
  g_test_add_func("/cli/on_error_abort_stops_the_run", test_on_error_abort_stops_the_run);
  g_test_add_func("/cli/on_error_abort_with_workers", test_on_error_abort_with_workers);
  g_test_add_func("/cli/workers_wait_for_a_long_document", test_workers_wait_for_a_long_document);
  g_test_add_func("/cli/stalled_output_stops_reading", test_stalled_output_stops_reading);
  g_test_add_func("/cli/output_does_not_wait_for_input", test_output_does_not_wait_for_input);
  g_test_add_func("/cli/bad_jsonl_lines_yield_error_records",
                  test_bad_jsonl_lines_yield_error_records);
  g_test_add_func("/cli/invalid_utf8_input", test_invalid_utf8_input);
  g_test_add_func("/cli/to_replaces_output", test_to_replaces_output);
  g_test_add_func("/cli/configuration_errors_exit_2", test_configuration_errors_exit_2);
  g_test_add_func("/cli/missing_file_exit_3", test_missing_file_exit_3);
  g_test_add_func("/cli/stats_table", test_stats_table);
  g_test_add_func("/cli/default_pipeline", test_default_pipeline);
  g_test_add_func("/cli/color_option", test_color_option);
  g_test_add_func("/cli/subcommands", test_subcommands);
  g_test_add_func("/cli/closed_pipe_is_quiet", test_closed_pipe_is_quiet);
  return g_test_run();
}
