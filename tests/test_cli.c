/* End-to-end tests of the copydesk command: stdin → stdout, framing, passthrough, ordering
 * with workers, exit statuses and sub-commands. */
#include <string.h>

#include <glib/gstdio.h>

#include <copydesk/copydesk.h>

static char *tmp_dir;

/* Runs copydesk with ARGS (NULL-terminated) on STDIN_DATA (LEN bytes); stores stdout and stderr
 * (g_free them) and returns the exit status.  COPYDESK_PLUGIN_PATH covers the build tree's
 * plugins and the test plugins. */
static int
run_cli(const char *stdin_data, gssize len, char **out, char **err, const char *first, ...)
{
  static guint counter;
  char *in_path = g_strdup_printf("%s/in-%u", tmp_dir, counter);
  char *out_path = g_strdup_printf("%s/out-%u", tmp_dir, counter);
  char *err_path = g_strdup_printf("%s/err-%u", tmp_dir, counter++);
  g_assert_true(g_file_set_contents(in_path, stdin_data ? stdin_data : "",
                                    stdin_data ? len : 0, NULL));
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, "/bin/sh");
  g_ptr_array_add(argv, "-c");
  char *script = g_strdup_printf("exec \"$0\" \"$@\" <'%s' >'%s' 2>'%s'", in_path, out_path,
                                 err_path);
  g_ptr_array_add(argv, script);
  g_ptr_array_add(argv, (char *)g_getenv("COPYDESK_BINARY"));
  va_list args;
  va_start(args, first);
  for (const char *a = first; a; a = va_arg(args, const char *))
    g_ptr_array_add(argv, (char *)a);
  va_end(args);
  g_ptr_array_add(argv, NULL);

  char **env = g_get_environ();
  char *plugin_path = g_strdup_printf("%s/plugins:%s/tests/plugins", g_getenv("COPYDESK_BUILD_ROOT"),
                                      g_getenv("COPYDESK_BUILD_ROOT"));
  env = g_environ_setenv(env, "COPYDESK_PLUGIN_PATH", plugin_path, TRUE);
  int wait_status = 0;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                             NULL, &wait_status, &error));
  g_assert_no_error(error);
  g_assert_true(g_file_get_contents(out_path, out, NULL, NULL));
  g_assert_true(g_file_get_contents(err_path, err, NULL, NULL));
  g_unlink(in_path);
  g_unlink(out_path);
  g_unlink(err_path);
  g_free(plugin_path);
  g_strfreev(env);
  g_free(script);
  g_ptr_array_free(argv, TRUE);
  g_free(in_path);
  g_free(out_path);
  g_free(err_path);
  g_assert_true(WIFEXITED(wait_status));
  return WEXITSTATUS(wait_status);
}

/* A test data file's path. */
static char *
data_file(const char *name)
{
  return g_build_filename(g_getenv("COPYDESK_TEST_DATA"), name, NULL);
}

static guint
count_lines(const char *text)
{
  guint n = 0;
  for (const char *p = text; *p; p++)
    n += (*p == '\n');
  return n;
}

static void
test_text_stdin_to_jsonl(void)
{
  char *config = data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = run_cli("Rain  fell\r\non Tuesday.", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"stdin\",\"text\":\"Rain  fell\\r\\non Tuesday.\""));
  g_assert_true(strstr(out, "\"clean_text\":\"Rain fell\\non Tuesday.\"") != NULL ||
                strstr(out, "\"clean_text\":\"Rain fell on Tuesday.\"") != NULL);
  g_assert_cmpuint(count_lines(out), ==, 1);
  g_free(out);
  g_free(err);
  g_free(config);
}

/* Form feeds on a line of their own separate documents in one stream. */
static void
test_form_feed_separates_documents(void)
{
  char *config = data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = run_cli("One.\n\f\nTwo.\n\f\nThree.\n", -1, &out, &err, "-c", config, NULL);
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
  char *config = data_file("clean-jsonl.yaml");
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
  int status = run_cli(input->str, input->len, &out, &err, "-c", config, "--from", "jsonl", "-j",
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
  g_assert_cmpint(run_cli(input->str, input->len, &out1, &err1, "-c", config, "--from", "jsonl",
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
  char *config = data_file("faulty.yaml");
  const char *input = "{\"id\":\"a\",\"text\":\"fine\"}\n"
                      "{\"id\":\"b\",\"text\":\"FAIL here\"}\n"
                      "{\"id\":\"c\",\"text\":\"fine too\"}\n";
  char *out, *err;
  int status = run_cli(input, -1, &out, &err, "-c", config, "-j", "2", NULL);
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
  char *config = data_file("faulty-abort.yaml");
  const char *input = "{\"text\":\"one\"}\n{\"text\":\"FAIL\"}\n{\"text\":\"three\"}\n";
  char *out, *err;
  int status = run_cli(input, -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 1);
  g_assert_cmpuint(count_lines(out), ==, 2);
  g_assert_nonnull(strstr(out, "\"errors\""));
  g_assert_null(strstr(out, "three"));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* Bad JSONL lines yield error records; the rest is processed. */
static void
test_bad_jsonl_lines_yield_error_records(void)
{
  char *config = data_file("clean-jsonl.yaml");
  const char *input = "{\"text\":\"good\"}\nnot json\n{\"body\":\"no text\"}\n{\"text\":5}\n"
                      "\n{\"text\":\"also good\"}\n";
  char *out, *err;
  int status = run_cli(input, -1, &out, &err, "-c", config, "--from", "jsonl", NULL);
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
  char *config = data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = run_cli("caf\xE9 ok", -1, &out, &err, "-c", config, NULL);
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
  char *config = data_file("clean-jsonl.yaml");
  char *out, *err;
  int status = run_cli("A.\n\f\nB.\n", -1, &out, &err, "-c", config, "--to", "json", NULL);
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
  char *bad = g_build_filename(tmp_dir, "bad.yaml", NULL);
  g_assert_true(g_file_set_contents(bad, "x:\n  - [", -1, NULL));
  g_assert_cmpint(run_cli("", 0, &out, &err, "check", bad, NULL), ==, 2);
  char *expected = g_strdup_printf("copydesk: %s:3:1: ", bad);
  g_assert_true(g_str_has_prefix(err, expected));
  g_assert_cmpuint(count_lines(err), ==, 1);
  g_free(expected);
  g_free(out);
  g_free(err);

  char *evil = data_file("evil.yaml");
  g_assert_cmpint(run_cli("x", -1, &out, &err, "-c", evil, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "evil.yaml:3:13: '../evil' is not a plugin name"));
  g_assert_cmpstr(out, ==, "");
  g_free(out);
  g_free(err);

  char *unknown = data_file("unknown-option.yaml");
  g_assert_cmpint(run_cli("x", -1, &out, &err, "-c", unknown, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "unknown-option.yaml:4:7: plugin 'clean' has no option 'normalise'"));
  g_free(out);
  g_free(err);

  char *failing = data_file("failing-create.yaml");
  g_assert_cmpint(run_cli("x", -1, &out, &err, "-c", failing, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "failing-create.yaml:2:13: plugin 'failing_create' could not start: "
                               "model file"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(run_cli("x", -1, &out, &err, "-j", "0", NULL), ==, 2);
  g_assert_true(g_str_has_prefix(err, "copydesk: -j must be from 1 to 256, not 0\n"));
  g_free(out);
  g_free(err);
  g_assert_cmpint(run_cli("x", -1, &out, &err, "--from", "xml", NULL), ==, 2);
  g_free(out);
  g_free(err);
  g_assert_cmpint(run_cli("x", -1, &out, &err, "--no-such-option", NULL), ==, 2);
  g_free(out);
  g_free(err);
  char *config = data_file("clean-jsonl.yaml");
  g_assert_cmpint(run_cli("x", -1, &out, &err, "-c", config, "--to", "nowhere", NULL), ==, 2);
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
  char *config = data_file("clean-jsonl.yaml");
  char *good = g_build_filename(tmp_dir, "good.txt", NULL);
  g_assert_true(g_file_set_contents(good, "Fine.", -1, NULL));
  char *out, *err;
  int status = run_cli("", 0, &out, &err, "-c", config, "/nonexistent/file.txt", good, NULL);
  g_assert_cmpint(status, ==, 3);
  g_assert_nonnull(strstr(err, "copydesk: /nonexistent/file.txt: cannot open: "));
  g_assert_cmpuint(count_lines(out), ==, 1);
  g_free(out);
  g_free(err);
  g_free(good);
  g_free(config);
}

/* The default pipeline runs without -c. */
static void
test_default_pipeline(void)
{
  char *out, *err;
  int status = run_cli("Markets rose on Monday.", -1, &out, &err, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"stdin\""));
  g_free(out);
  g_free(err);
}

static void
test_subcommands(void)
{
  char *out, *err;
  g_assert_cmpint(run_cli("", 0, &out, &err, "plugins", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "clean "));
  g_assert_nonnull(strstr(out, "jsonl "));
  g_assert_nonnull(strstr(out, "transform"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(run_cli("", 0, &out, &err, "describe", "clean", NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "clean "));
  g_assert_nonnull(strstr(out, "Options:"));
  g_assert_nonnull(strstr(out, "normalize"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(run_cli("", 0, &out, &err, "describe", "nothing", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "no plugin named 'nothing'"));
  g_free(out);
  g_free(err);

  char *config = data_file("clean-jsonl.yaml");
  g_assert_cmpint(run_cli("", 0, &out, &err, "check", config, NULL), ==, 0);
  g_assert_nonnull(strstr(out, ": ok: clean → jsonl"));
  g_free(out);
  g_free(err);
  g_free(config);

  g_assert_cmpint(run_cli("", 0, &out, &err, "--help", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "--jobs"));
  g_assert_nonnull(strstr(out, "copydesk check PIPELINE"));
  g_free(out);
  g_free(err);

  g_assert_cmpint(run_cli("", 0, &out, &err, "--version", NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "copydesk " COPYDESK_VERSION));
  g_free(out);
  g_free(err);
}

/* A reader that goes away ends the run quietly. */
static void
test_closed_pipe_is_quiet(void)
{
  char *config = data_file("clean-jsonl.yaml");
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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp("copydesk-cli-XXXXXX", NULL);
  g_test_add_func("/cli/text_stdin_to_jsonl", test_text_stdin_to_jsonl);
  g_test_add_func("/cli/form_feed_separates_documents", test_form_feed_separates_documents);
  g_test_add_func("/cli/jsonl_passthrough_ordered_with_workers",
                  test_jsonl_passthrough_ordered_with_workers);
  g_test_add_func("/cli/failed_document_still_emitted", test_failed_document_still_emitted);
  g_test_add_func("/cli/on_error_abort_stops_the_run", test_on_error_abort_stops_the_run);
  g_test_add_func("/cli/bad_jsonl_lines_yield_error_records",
                  test_bad_jsonl_lines_yield_error_records);
  g_test_add_func("/cli/invalid_utf8_input", test_invalid_utf8_input);
  g_test_add_func("/cli/to_replaces_output", test_to_replaces_output);
  g_test_add_func("/cli/configuration_errors_exit_2", test_configuration_errors_exit_2);
  g_test_add_func("/cli/missing_file_exit_3", test_missing_file_exit_3);
  g_test_add_func("/cli/default_pipeline", test_default_pipeline);
  g_test_add_func("/cli/subcommands", test_subcommands);
  g_test_add_func("/cli/closed_pipe_is_quiet", test_closed_pipe_is_quiet);
  int status = g_test_run();
  g_rmdir(tmp_dir);
  g_free(tmp_dir);
  return status;
}
