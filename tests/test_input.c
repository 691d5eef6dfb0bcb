/* Input framing: text files with form-feed separators, JSON Lines records, CoNLL columns. */
#include <string.h>
#include <unistd.h>

#include <copydesk/copydesk.h>

#include "cli_runner.h"
#include "input.h"

/* Writes DATA (LEN bytes) to a temp file named NAME; returns its path. */
static char *
write_file(const char *name, const char *data, gssize len)
{
  char *path = g_build_filename(cli_tmp_dir(), name, NULL);
  g_assert_true(g_file_set_contents(path, data, len, NULL));
  return path;
}

/* Reads every document of the files PATHS as FORMAT. */
static GPtrArray *
read_all(CopydeskInputFormat format, const char *const *paths)
{
  GPtrArray *docs = g_ptr_array_new_with_free_func((GDestroyNotify)copydesk_document_free);
  CopydeskInput *input = copydesk_input_new(format, "text", "id", paths);
  CopydeskDocument *doc;
  GError *error = NULL;
  while ((doc = copydesk_input_next(input, NULL, &error)) != NULL)
    g_ptr_array_add(docs, doc);
  g_assert_no_error(error);
  copydesk_input_free(input);
  return docs;
}

static const char *
doc_text(GPtrArray *docs, guint i)
{
  return copydesk_document_original(docs->pdata[i], NULL);
}

static void
test_text_form_feeds(void)
{
  char *path = write_file("ff.txt", "One\n\f\nTwo\r\n\f\r\nThree\n\f\n", -1);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_TEXT, paths);
  g_assert_cmpuint(docs->len, ==, 3); /* the trailing separator adds no empty document */
  g_assert_cmpstr(doc_text(docs, 0), ==, "One\n");
  g_assert_cmpstr(doc_text(docs, 1), ==, "Two\r\n");
  g_assert_cmpstr(doc_text(docs, 2), ==, "Three\n");
  g_assert_cmpstr(copydesk_document_id(docs->pdata[0]), ==, path);
  char *second = g_strdup_printf("%s#2", path);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[1]), ==, second);
  g_free(second);
  g_ptr_array_unref(docs);
  g_free(path);
}

/* A form feed inside a line is text, not a separator; NUL bytes are kept. */
static void
test_text_keeps_bytes(void)
{
  char *path = write_file("bytes.txt", "a\fb\n\0c", 6);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_TEXT, paths);
  g_assert_cmpuint(docs->len, ==, 1);
  gsize len;
  const char *text = copydesk_document_original(docs->pdata[0], &len);
  g_assert_cmpmem(text, len, "a\fb\n\0c", 6);
  g_ptr_array_unref(docs);
  g_free(path);
}

/* Each file is at least one document, even when empty. */
static void
test_empty_file_is_one_document(void)
{
  char *empty = write_file("empty.txt", "", 0);
  char *other = write_file("other.txt", "x", -1);
  const char *paths[] = {empty, other, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_TEXT, paths);
  g_assert_cmpuint(docs->len, ==, 2);
  g_assert_cmpstr(doc_text(docs, 0), ==, "");
  g_ptr_array_unref(docs);
  g_free(empty);
  g_free(other);
}

static void
test_jsonl_records(void)
{
  char *path = write_file("r.jsonl",
                          "{\"id\":\"a-1\",\"text\":\"caf\\u00e9\",\"k\":[1, 2]}\n"
                          "\n   \n"
                          "{\"id\":42,\"text\":\"x\"}\r\n"
                          "{\"id\":null,\"text\":\"y\"}\n"
                          "[1]\n",
                          -1);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_JSONL, paths);
  g_assert_cmpuint(docs->len, ==, 4);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[0]), ==, "a-1");
  g_assert_cmpstr(doc_text(docs, 0), ==, "café");
  g_assert_cmpstr(copydesk_document_get_field(docs->pdata[0], "k"), ==, "[1, 2]");
  g_assert_cmpstr(copydesk_document_id(docs->pdata[1]), ==, "42");
  char *where = g_strdup_printf("%s:5", path); /* null id: generated from the line */
  g_assert_cmpstr(copydesk_document_id(docs->pdata[2]), ==, where);
  g_free(where);
  g_assert_cmpuint(copydesk_document_n_errors(docs->pdata[2]), ==, 0);
  g_assert_cmpuint(copydesk_document_n_errors(docs->pdata[3]), ==, 1);
  g_assert_cmpstr(copydesk_document_error_stage(docs->pdata[3], 0), ==, "input");
  g_ptr_array_unref(docs);
  g_free(path);
}

/* JSONL read in blocks: records that straddle the block's end, one longer than the block,
 * blank and CRLF lines, a last line without a newline, then a second file; ids from the lines
 * count every line. */
static void
test_jsonl_blocks(void)
{
  GString *data = g_string_new(NULL);
  GPtrArray *want = g_ptr_array_new_with_free_func(g_free);
  guint line = 0;
  for (guint i = 0; data->len < 5 * 1024 * 1024; i++) {
    gsize size = i == 40 ? 3 * 1024 * 1024 : (i * 7919) % 100000;
    GString *text = g_string_new(NULL);
    for (gsize k = 0; text->len < size; k++)
      g_string_append(text, k % 11 == 0 ? "w\xc3\xa9rd " : "word ");
    g_string_append_printf(data, "{\"text\":\"%s\"}%s", text->str, i % 5 == 0 ? "\r\n" : "\n");
    line++;
    g_ptr_array_add(want, g_string_free(text, FALSE));
    if (i % 9 == 0) {
      g_string_append(data, "  \n");
      line++;
    }
  }
  g_string_append(data, "{\"text\":\"last\"}");
  g_ptr_array_add(want, g_strdup("last"));
  line++;
  char *path = write_file("blocks.jsonl", data->str, (gssize)data->len);
  char *other = write_file("other.jsonl", "{\"text\":\"next file\"}\n", -1);
  const char *paths[] = {path, other, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_JSONL, paths);
  g_assert_cmpuint(docs->len, ==, want->len + 1);
  for (guint i = 0; i < want->len; i++)
    g_assert_cmpstr(doc_text(docs, i), ==, want->pdata[i]);
  char *where = g_strdup_printf("%s:%u", path, line);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[want->len - 1]), ==, where);
  g_free(where);
  g_assert_cmpstr(doc_text(docs, want->len), ==, "next file");
  where = g_strdup_printf("%s:1", other);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[want->len]), ==, where);
  g_free(where);
  g_ptr_array_unref(docs);
  g_ptr_array_unref(want);
  g_string_free(data, TRUE);
  g_free(path);
  g_free(other);
}

/* A record whose other fields are much longer than its text: the document gives back the room
 * it had for a text as long as the line, and keeps every field. */
static void
test_jsonl_long_other_field(void)
{
  GString *meta = g_string_new("[");
  for (guint i = 0; i < 40000; i++)
    g_string_append_printf(meta, "%s%u", i ? "," : "", i);
  g_string_append_c(meta, ']');
  GString *data = g_string_new(NULL);
  g_string_append_printf(data, "{\"meta\":%s,\"text\":\"sm\\u00e0ll\",\"id\":\"x\"}\n", meta->str);
  g_string_append(data, "{\"text\":\"after\"}\n");
  char *path = write_file("long-field.jsonl", data->str, (gssize)data->len);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_JSONL, paths);
  g_assert_cmpuint(docs->len, ==, 2);
  g_assert_cmpstr(doc_text(docs, 0), ==, "sm\xc3\xa0ll");
  g_assert_cmpstr(copydesk_document_get_field(docs->pdata[0], "meta"), ==, meta->str);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[0]), ==, "x");
  g_assert_cmpuint(copydesk_document_original_offset(docs->pdata[0], 6, COPYDESK_UNIT_CODEPOINTS),
                   ==, 5);
  g_assert_cmpstr(doc_text(docs, 1), ==, "after");
  g_ptr_array_unref(docs);
  g_string_free(data, TRUE);
  g_string_free(meta, TRUE);
  g_free(path);
}

/* A record's fields are kept in input order, a repeated key replacing the earlier value in its
 * place; a field read from the record can be replaced later; the decoded text's offsets count
 * its non-ASCII characters (the reader does not validate the text again, but must still know). */
static void
test_jsonl_fields_kept(void)
{
  char *path = write_file("f.jsonl",
                          "{\"a\":1,\"text\":\"caf\\u00e9 \\u00e0\",\"a\":{\"b\":[2]},\"z\":\"\\u00e9\"}\n"
                          "{\"text\":\"plain\",\"n\":null}\n",
                          -1);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_JSONL, paths);
  g_assert_cmpuint(docs->len, ==, 2);
  CopydeskDocument *doc = docs->pdata[0];
  g_assert_cmpuint(copydesk_document_n_fields(doc), ==, 3);
  g_assert_cmpstr(copydesk_document_field_key(doc, 0), ==, "a");
  g_assert_cmpstr(copydesk_document_field_json(doc, 0), ==, "{\"b\":[2]}");
  g_assert_cmpstr(copydesk_document_field_key(doc, 1), ==, "text");
  g_assert_cmpstr(copydesk_document_field_json(doc, 1), ==, "\"caf\\u00e9 \\u00e0\"");
  g_assert_cmpstr(copydesk_document_field_key(doc, 2), ==, "z");
  g_assert_cmpstr(copydesk_document_get_field(doc, "z"), ==, "\"\\u00e9\"");
  g_assert_cmpstr(doc_text(docs, 0), ==, "caf\xc3\xa9 \xc3\xa0");
  g_assert_cmpuint(copydesk_document_original_offset(doc, 8, COPYDESK_UNIT_CODEPOINTS), ==, 6);
  copydesk_document_set_field(doc, "a", "true");
  copydesk_document_set_field(doc, "a", "false");
  copydesk_document_set_field_string(doc, "new", "v");
  g_assert_cmpuint(copydesk_document_n_fields(doc), ==, 4);
  g_assert_cmpstr(copydesk_document_field_key(doc, 0), ==, "a");
  g_assert_cmpstr(copydesk_document_field_json(doc, 0), ==, "false");
  g_assert_cmpstr(copydesk_document_get_field(doc, "text"), ==, "\"caf\\u00e9 \\u00e0\"");
  g_assert_cmpstr(copydesk_document_get_field(doc, "new"), ==, "\"v\"");
  doc = docs->pdata[1];
  g_assert_cmpstr(copydesk_document_get_field(doc, "n"), ==, "null");
  g_assert_cmpuint(copydesk_document_original_offset(doc, 4, COPYDESK_UNIT_UTF16), ==, 4);
  g_ptr_array_unref(docs);
  g_free(path);
}

/* The text field is found by its decoded key and decoded with the record; a missing or
 * non-string text field is an input error on a document that keeps the record's fields; a short
 * record after a long one is read right (the reader reuses its buffers). */
static void
test_jsonl_text_field(void)
{
  GString *data = g_string_new("{\"te\\u0078t\":\"esc key\",\"id\":\"i\\u0064\"}\n"
                               "{\"id\":3}\n"
                               "{\"text\":[\"x\"],\"id\":4}\n"
                               "{\"id\":5,\"text\":\"");
  GString *long_text = g_string_new(NULL);
  for (guint i = 0; i < 5000; i++) {
    g_string_append(data, "line \\\"quoted\\\" caf\xc3\xa9\\n");
    g_string_append(long_text, "line \"quoted\" caf\xc3\xa9\n");
  }
  g_string_append(data, "\"}\n{\"text\":\"short\"}\n");
  char *path = write_file("t.jsonl", data->str, (gssize)data->len);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_JSONL, paths);
  g_assert_cmpuint(docs->len, ==, 5);

  g_assert_cmpstr(copydesk_document_id(docs->pdata[0]), ==, "id");
  g_assert_cmpstr(doc_text(docs, 0), ==, "esc key");
  g_assert_cmpstr(copydesk_document_get_field(docs->pdata[0], "text"), ==, "\"esc key\"");
  g_assert_cmpuint(copydesk_document_n_errors(docs->pdata[0]), ==, 0);

  g_assert_cmpstr(copydesk_document_id(docs->pdata[1]), ==, "3");
  g_assert_cmpstr(doc_text(docs, 1), ==, "");
  g_assert_cmpuint(copydesk_document_n_errors(docs->pdata[1]), ==, 1);
  const char *message = copydesk_document_error_message(docs->pdata[1], 0);
  g_assert_nonnull(strstr(message, "has no 'text' field"));

  g_assert_cmpstr(doc_text(docs, 2), ==, "");
  g_assert_cmpstr(copydesk_document_get_field(docs->pdata[2], "text"), ==, "[\"x\"]");
  g_assert_cmpuint(copydesk_document_n_errors(docs->pdata[2]), ==, 1);
  g_assert_nonnull(strstr(copydesk_document_error_message(docs->pdata[2], 0), "not a string"));

  g_assert_cmpstr(doc_text(docs, 3), ==, long_text->str);
  g_assert_cmpstr(doc_text(docs, 4), ==, "short");
  char *where = g_strdup_printf("%s:5", path); /* no id: generated from the line */
  g_assert_cmpstr(copydesk_document_id(docs->pdata[4]), ==, where);
  g_free(where);

  g_ptr_array_unref(docs);
  g_string_free(long_text, TRUE);
  g_string_free(data, TRUE);
  g_free(path);
}

static void
test_conll_documents(void)
{
  char *path = write_file("c.conll",
                          "-DOCSTART- -X- -X- O\n\n"
                          "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
                          "Peter NNP B-NP B-PER\n\n"
                          "-DOCSTART- -X- -X- O\n\n"
                          "Bonn NNP B-NP B-LOC\n",
                          -1);
  const char *paths[] = {path, NULL};
  GPtrArray *docs = read_all(COPYDESK_INPUT_CONLL, paths);
  g_assert_cmpuint(docs->len, ==, 2);
  g_assert_cmpstr(copydesk_document_text(docs->pdata[0], NULL), ==, "EU rejects\nPeter");
  CopydeskLayer *tokens = copydesk_document_layer(docs->pdata[0], COPYDESK_LAYER_TOKEN);
  CopydeskLayer *sentences = copydesk_document_layer(docs->pdata[0], COPYDESK_LAYER_SENTENCE);
  g_assert_cmpuint(copydesk_layer_n_spans(tokens), ==, 3);
  g_assert_cmpuint(copydesk_layer_n_spans(sentences), ==, 2);
  CopydeskSpan *rejects = copydesk_layer_span(tokens, 1);
  g_assert_cmpuint(copydesk_span_start(rejects), ==, 3);
  g_assert_cmpuint(copydesk_span_end(rejects), ==, 10);
  g_assert_cmpstr(copydesk_span_get_string(rejects, "conll"), ==, "rejects VBZ B-VP O");
  g_assert_cmpuint(copydesk_span_end(copydesk_layer_span(sentences, 1)), ==, 16);
  char *second = g_strdup_printf("%s#2", path);
  g_assert_cmpstr(copydesk_document_id(docs->pdata[1]), ==, second);
  g_free(second);
  g_ptr_array_unref(docs);
  g_free(path);
}

/* A file that cannot be opened is reported, and reading goes on with the next one. */
static void
test_missing_file_then_next(void)
{
  char *good = write_file("good.txt", "ok", -1);
  const char *paths[] = {"/nonexistent/x.txt", good, NULL};
  CopydeskInput *input = copydesk_input_new(COPYDESK_INPUT_TEXT, NULL, NULL, paths);
  GError *error = NULL;
  g_assert_null(copydesk_input_next(input, NULL, &error));
  g_assert_error(error, COPYDESK_IO_ERROR, COPYDESK_IO_ERROR_READ);
  g_assert_true(g_str_has_prefix(error->message, "/nonexistent/x.txt: cannot open: "));
  g_clear_error(&error);
  CopydeskDocument *doc = copydesk_input_next(input, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(doc);
  copydesk_document_free(doc);
  g_assert_null(copydesk_input_next(input, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(copydesk_input_bytes_read(input), ==, 2);
  copydesk_input_free(input);
  g_free(good);
}

/* An input reading FORMAT from a pipe that already holds DATA (written, then left open when
 * KEEP_OPEN, so that reading more would wait); *WRITE_FD gets the pipe's writing end. */
static CopydeskInput *
pipe_input(CopydeskInputFormat format, const char *data, int *write_fd)
{
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  g_assert_cmpint(write(fds[1], data, strlen(data)), ==, (gssize)strlen(data));
  char *path = g_strdup_printf("/dev/fd/%d", fds[0]);
  const char *paths[] = {path, NULL};
  CopydeskInput *input = copydesk_input_new(format, "text", "id", paths);
  g_free(path);
  *write_fd = fds[1];
  return input;
}

/* Whether the next document can be had without waiting: from a pipe, only a JSONL record
 * already read whole (blank lines after a record are no record); from a regular file,
 * always, up to its end; to open another file, never. */
static void
test_next_is_buffered(void)
{
  int w;
  CopydeskInput *input = pipe_input(COPYDESK_INPUT_JSONL, "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n \n\n", &w);
  GError *error = NULL;
  g_assert_false(copydesk_input_next_is_buffered(input)); /* the pipe is not open yet */
  CopydeskDocument *doc = copydesk_input_next(input, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(copydesk_document_original(doc, NULL), ==, "a");
  copydesk_document_free(doc);
  g_assert_true(copydesk_input_next_is_buffered(input)); /* "b", after a blank line */
  doc = copydesk_input_next(input, NULL, &error);
  g_assert_cmpstr(copydesk_document_original(doc, NULL), ==, "b");
  copydesk_document_free(doc);
  g_assert_false(copydesk_input_next_is_buffered(input)); /* blank lines, the pipe still open */
  close(w);
  g_assert_null(copydesk_input_next(input, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(copydesk_input_next_is_buffered(input)); /* the end of all input */
  copydesk_input_free(input);

  /* text from a pipe: the end of a document is known only by reading on */
  input = pipe_input(COPYDESK_INPUT_TEXT, "One\n\f\nTwo\n", &w);
  doc = copydesk_input_next(input, NULL, &error);
  g_assert_cmpstr(copydesk_document_original(doc, NULL), ==, "One\n");
  copydesk_document_free(doc);
  g_assert_false(copydesk_input_next_is_buffered(input));
  close(w);
  copydesk_input_free(input);

  /* regular files never wait, but for the opening of the next file */
  char *path = write_file("buffered.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\"}", -1);
  const char *paths[] = {path, "-", NULL};
  input = copydesk_input_new(COPYDESK_INPUT_JSONL, "text", "id", paths);
  doc = copydesk_input_next(input, NULL, &error);
  copydesk_document_free(doc);
  g_assert_true(copydesk_input_next_is_buffered(input)); /* "b", with no newline after it */
  doc = copydesk_input_next(input, NULL, &error);
  g_assert_cmpstr(copydesk_document_original(doc, NULL), ==, "b");
  copydesk_document_free(doc);
  g_assert_false(copydesk_input_next_is_buffered(input)); /* stdin comes next */
  copydesk_input_free(input);
  g_free(path);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/input/text_form_feeds", test_text_form_feeds);
  g_test_add_func("/input/text_keeps_bytes", test_text_keeps_bytes);
  g_test_add_func("/input/empty_file_is_one_document", test_empty_file_is_one_document);
  g_test_add_func("/input/jsonl_records", test_jsonl_records);
  g_test_add_func("/input/jsonl_text_field", test_jsonl_text_field);
  g_test_add_func("/input/jsonl_fields_kept", test_jsonl_fields_kept);
  g_test_add_func("/input/jsonl_blocks", test_jsonl_blocks);
  g_test_add_func("/input/jsonl_long_other_field", test_jsonl_long_other_field);
  g_test_add_func("/input/next_is_buffered", test_next_is_buffered);
  g_test_add_func("/input/conll_documents", test_conll_documents);
  g_test_add_func("/input/missing_file_then_next", test_missing_file_then_next);
  return g_test_run();
}
