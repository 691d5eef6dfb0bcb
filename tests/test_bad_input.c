/* Hostile input through the copydesk command: every input record yields exactly one output
 * record, with the documented exit status, whatever the bytes.  Large cases are scaled by
 * COPYDESK_BAD_INPUT_SCALE (1 = the sizes below; CI's sanitizer run uses less). */
#include <stdio.h>
#include <string.h>

#include <copydesk/copydesk.h>

#include "cli_runner.h"

/* SIZE scaled by COPYDESK_BAD_INPUT_SCALE. */
static gsize
scaled(gsize size)
{
  const char *scale = g_getenv("COPYDESK_BAD_INPUT_SCALE");
  double factor = scale ? g_ascii_strtod(scale, NULL) : 1.0;
  return factor > 0 ? (gsize)(size * factor) : size;
}

/* Writes a file of N copies of UNIT in the scratch folder; returns its path. */
static char *
write_repeated(const char *name, const char *unit, gsize n)
{
  char *path = g_build_filename(cli_tmp_dir(), name, NULL);
  FILE *f = fopen(path, "wb");
  g_assert_nonnull(f);
  gsize len = strlen(unit);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint(fwrite(unit, 1, len, f), ==, len);
  g_assert_cmpint(fclose(f), ==, 0);
  return path;
}

/* Invalid UTF-8: U+FFFD in the working text, offsets still in the original's code points. */
static void
test_invalid_utf8(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  char *out, *err;
  /* "caf\xE9 \xFF\xFE ok." — three invalid bytes. */
  int status = cli_run("caf\xE9 \xFF\xFE ok.", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_true(g_utf8_validate(out, -1, NULL));
  g_assert_nonnull(strstr(out, "\"text\":\"caf\\ufffd \\ufffd\\ufffd ok.\""));
  /* One sentence over the whole text: 11 code points, each invalid byte counting as one. */
  g_assert_nonnull(strstr(out, "\"sentences\":[[0,11]]"));
  /* Reported once, on stderr, without failing the document. */
  g_assert_cmpstr(err, ==, "copydesk: stdin: input: 3 invalid UTF-8 bytes replaced by U+FFFD\n");
  g_free(out);
  g_free(err);
  g_free(config);
}

/* NUL bytes are text like any other: escaped in JSON, never truncating. */
static void
test_nul_bytes(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  char *out, *err;
  int status = cli_run("one\0two three", 13, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_nonnull(strstr(out, "\"text\":\"one\\u0000two three\""));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* CRLF and lone CR become LF in the cleaned text; offsets count the original CRs. */
static void
test_crlf_and_lone_cr(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  char *out, *err;
  int status = cli_run("First line.\r\n\r\nSecond.\rThird.", -1, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_nonnull(strstr(out, "\"text\":\"First line.\\r\\n\\r\\nSecond.\\rThird.\""));
  /* "Second." starts at code point 15 of the original. */
  g_assert_nonnull(strstr(out, "[15,"));
  g_free(out);
  g_free(err);
  g_free(config);
}

/* One large single document (200 MB at scale 1). */
static void
test_large_document(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  gsize n = scaled(200 * 1000 * 1000) / 50;
  char *path = write_repeated("large.txt", "The port reopened on Monday, officials said.    \n", n);
  char *out, *err;
  int status = cli_run_file(path, &out, &err, "-c", config, "--to", "jsonl", NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpuint(cli_count_lines(out), ==, 1);
  g_assert_cmpstr(err, ==, "");
  g_free(out);
  g_free(err);
  remove(path);
  g_free(path);
  g_free(config);
}

/* One million empty JSONL records: one million output records, each with its input error. */
static void
test_million_empty_records(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  gsize n = scaled(1000 * 1000);
  char *path = write_repeated("empty.jsonl", "{}\n", n);
  char *out, *err;
  int status = cli_run_file(path, &out, &err, "-c", config, "--from", "jsonl", "-q", "-j", "2",
                            NULL);
  g_assert_cmpint(status, ==, 1); /* no text field: each record carries an input error */
  g_assert_cmpuint(cli_count_lines(out), ==, n);
  g_assert_cmpstr(err, ==, "");
  g_free(out);
  g_free(err);
  remove(path);
  g_free(path);
  g_free(config);
}

/* Records with empty text are fine documents. */
static void
test_empty_text_records(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  gsize n = scaled(100 * 1000);
  char *path = write_repeated("empty-text.jsonl", "{\"text\":\"\"}\n", n);
  char *out, *err;
  int status = cli_run_file(path, &out, &err, "-c", config, "--from", "jsonl", NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpuint(cli_count_lines(out), ==, n);
  g_free(out);
  g_free(err);
  remove(path);
  g_free(path);
  g_free(config);
}

/* A line of 50 MB with no spaces. */
static void
test_long_line_without_spaces(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  gsize n = scaled(50 * 1000 * 1000) / 10;
  char *path = write_repeated("line.txt", "abcdefghij", n);
  char *out, *err;
  int status = cli_run_file(path, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpuint(cli_count_lines(out), ==, 1);
  char *expected = g_strdup_printf("\"sentences\":[[0,%" G_GSIZE_FORMAT "]]", n * 10);
  g_assert_nonnull(strstr(out, expected));
  g_free(expected);
  g_free(out);
  g_free(err);
  remove(path);
  g_free(path);
  g_free(config);
}

/* Quote marks: 10,000 in a row, unbalanced and nested ones. */
static void
test_quote_marks(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  GString *input = g_string_new("She said \"it's \"nested\" and \xE2\x80\x9Cunbalanced. ");
  for (int i = 0; i < 10000; i++)
    g_string_append(input, i % 2 ? "\"" : "\xE2\x80\x9D");
  g_string_append(input, " End.");
  char *out, *err;
  int status = cli_run(input->str, input->len, &out, &err, "-c", config, NULL);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpuint(cli_count_lines(out), ==, 1);
  g_free(out);
  g_free(err);
  g_string_free(input, TRUE);
  g_free(config);
}

/* JSONL lines that are not JSON, lack the text field, or hold a non-string text: an error
 * record for each, the rest processed, in order. */
static void
test_bad_records_interleaved(void)
{
  char *config = cli_data_file("clean-sentences.yaml");
  GString *input = g_string_new(NULL);
  for (int i = 0; i < 300; i++) {
    switch (i % 4) {
    case 0: g_string_append_printf(input, "{\"n\":%d,\"text\":\"Good %d.\"}\n", i, i); break;
    case 1: g_string_append_printf(input, "{\"n\":%d,\"text\":%d}\n", i, i); break;
    case 2: g_string_append_printf(input, "{\"n\":%d}\n", i); break;
    default: g_string_append_printf(input, "{\"n\":%d, broken\n", i); break;
    }
  }
  char *out, *err;
  int status = cli_run(input->str, input->len, &out, &err, "-c", config, "--from", "jsonl", "-j",
                       "2", "-q", NULL);
  g_assert_cmpint(status, ==, 1);
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 301);
  for (int i = 0; i < 300; i++) {
    gboolean has_error = strstr(lines[i], "\"errors\"") != NULL;
    g_assert_true(has_error == (i % 4 != 0));
    if (i % 4 != 3) { /* parsed records keep their fields */
      char *field = g_strdup_printf("\"n\":%d,", i);
      g_assert_nonnull(strstr(lines[i], field));
      g_free(field);
    }
  }
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  g_string_free(input, TRUE);
  g_free(config);
}

/* Hostile pipeline files: exit 2, one line naming the file, no crash. */
static void
test_hostile_configs(void)
{
  GString *bomb = g_string_new("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 9; i++) {
    g_string_append_printf(bomb, "a%d: &a%d [", i, i);
    for (int k = 0; k < 10; k++)
      g_string_append_printf(bomb, "%s*a%d", k ? ", " : "", i - 1);
    g_string_append(bomb, "]\n");
  }
  GString *deep = g_string_new("pipeline: ");
  for (int i = 0; i < 10000; i++)
    g_string_append_c(deep, '[');
  const struct {
    const char *name;
    const char *yaml; /* NULL: built below */
    const char *expect; /* in the message after "copydesk: FILE" */
  } cases[] = {
      {"bomb.yaml", bomb->str, "alias"},
      {"deep.yaml", deep->str, "deep"},
      {"duplicate.yaml", "pipeline: []\npipeline: []\n", ":2:1: duplicate key 'pipeline'"},
      {"latin1.yaml", "pipeline: []\n# caf\xE9\n", ":2:6: "},
      {"wrong-type.yaml", "pipeline:\n  - plugin: clean\n    options: {whitespace: [1]}\n",
       ":3:27: option 'whitespace' of plugin 'clean'"},
      {"slash.yaml", "pipeline:\n  - plugin: plugins/clean\n", "is not a plugin name"},
      {"dots.yaml", "pipeline:\n  - plugin: ..\n", "is not a plugin name"},
      {"not-so.yaml", "pipeline:\n  - plugin: clean\n    path: not-so.yaml\n", "cannot load plugin"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_build_filename(cli_tmp_dir(), cases[i].name, NULL);
    g_assert_true(g_file_set_contents(path, cases[i].yaml, -1, NULL));
    char *out, *err;
    g_test_message("%s", cases[i].name);
    g_assert_cmpint(cli_run("", 0, &out, &err, "check", path, NULL), ==, 2);
    char *prefix = g_strdup_printf("copydesk: %s", path);
    g_assert_true(g_str_has_prefix(err, prefix));
    g_assert_nonnull(strstr(err, cases[i].expect));
    g_assert_cmpuint(cli_count_lines(err), ==, 1);
    g_free(prefix);
    g_free(out);
    g_free(err);
    g_free(path);
  }
  /* A 100 MB pipeline file is refused without reading it. */
  char *huge = write_repeated("huge.yaml", "# padding padding padding padding padding padding\n",
                              2 * 1000 * 1000);
  char *out, *err;
  g_assert_cmpint(cli_run("", 0, &out, &err, "check", huge, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "the limit is 1048576"));
  g_free(out);
  g_free(err);
  remove(huge);
  g_free(huge);
  g_string_free(bomb, TRUE);
  g_string_free(deep, TRUE);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bad_input/invalid_utf8", test_invalid_utf8);
  g_test_add_func("/bad_input/nul_bytes", test_nul_bytes);
  g_test_add_func("/bad_input/crlf_and_lone_cr", test_crlf_and_lone_cr);
  g_test_add_func("/bad_input/large_document", test_large_document);
  g_test_add_func("/bad_input/million_empty_records", test_million_empty_records);
  g_test_add_func("/bad_input/empty_text_records", test_empty_text_records);
  g_test_add_func("/bad_input/long_line_without_spaces", test_long_line_without_spaces);
  g_test_add_func("/bad_input/quote_marks", test_quote_marks);
  g_test_add_func("/bad_input/bad_records_interleaved", test_bad_records_interleaved);
  g_test_add_func("/bad_input/hostile_configs", test_hostile_configs);
  return g_test_run();
}
