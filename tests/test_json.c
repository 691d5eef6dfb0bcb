/* copydesk — tests for the JSONL record reader (core/jsonl_record.c) and the JSON
 * writing helpers (core/json_write.c). */
#include <copydesk/errors.h>
#include <copydesk/json.h>

#include "jsonl_record.h"

#include <locale.h>
#include <math.h>
#include <string.h>

/* Logs test case I and its LEN bytes of INPUT, escaped so the TAP stream stays one line a case. */
static void print_case(guint i, const char *input, gsize len)
{
  char *copy = g_strndup(input, len);
  char *escaped = g_strescape(copy, NULL);
  g_test_message("case %u: %s", i, escaped);
  g_free(escaped);
  g_free(copy);
}

/* ---- parsing valid records ---------------------------------------------------------- */

#define MAX_FIELDS 8

typedef struct {
  const char *input;
  guint n_fields;
  const char *keys[MAX_FIELDS];
  const char *raw[MAX_FIELDS];
} ValidCase;

static const ValidCase valid_cases[] = {
  {"{\"a\":1.50e+3,\"b\":[1,{\"c\":null}],\"text\":\"x\\u00e9\\ud83d\\ude00\"}",
   3,
   {"a", "b", "text"},
   {"1.50e+3", "[1,{\"c\":null}]", "\"x\\u00e9\\ud83d\\ude00\""}},
  {"{\"big\":12345678901234567890,\"neg\":-0,\"f\":-0.5E-10,\"g\":0e0,\"t\":true,\"ff\":false,"
   "\"z\":null,\"h\":1E+400}",
   8,
   {"big", "neg", "f", "g", "t", "ff", "z", "h"},
   {"12345678901234567890", "-0", "-0.5E-10", "0e0", "true", "false", "null", "1E+400"}},
  {"{}", 0, {NULL}, {NULL}},
  {" \t{ }\r\n", 0, {NULL}, {NULL}},
  {" \t{ \"a\" : [ 1 , 2 ] ,\r\n\"b\":{ } ,\"c\"\t:\t\"s\" } \n",
   3,
   {"a", "b", "c"},
   {"[ 1 , 2 ]", "{ }", "\"s\""}},
  {"{\"k\":1,\"k\":\"two\",\"k\":[3]}", 3, {"k", "k", "k"}, {"1", "\"two\"", "[3]"}},
  {"{\"a\\\"b\":\"\\/\",\"\\u00e9\":0,\"\":\"\",\"\\ud83d\\ude00\":{}}",
   4,
   {"a\"b", "\xc3\xa9", "", "\xf0\x9f\x98\x80"},
   {"\"\\/\"", "0", "\"\"", "{}"}},
  {"{\"s\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbf\xbf\x7f\"}",
   1,
   {"s"},
   {"\"h\xc3\xa9llo \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbf\xbf\x7f\""}},
  {"{\"d\":[[[[{\"x\":[{},[],\"\"]}]]]],\"e\":[]}",
   2,
   {"d", "e"},
   {"[[[[{\"x\":[{},[],\"\"]}]]]]", "[]"}},
  {"{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u0000\\uD800\"}",
   1,
   {"e"},
   {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u0000\\uD800\""}},
  {"{\"long\":\"0123456789abcdefghijklmnopqrstuvwxyz0123456789\\\"0123456789\xc3\xa9"
   "0123456789\"}",
   1,
   {"long"},
   {"\"0123456789abcdefghijklmnopqrstuvwxyz0123456789\\\"0123456789\xc3\xa9"
    "0123456789\""}},
};

/* Every valid case parses to exactly the expected keys and raw value slices. */
static void test_parse_valid(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(valid_cases); i++) {
    const ValidCase *c = &valid_cases[i];
    GError *error = NULL;
    print_case(i, c->input, strlen(c->input));
    CopydeskJsonRecord *record = copydesk_json_record_parse(c->input, strlen(c->input), &error);
    g_assert_no_error(error);
    g_assert_nonnull(record);
    g_assert_cmpuint(record->fields->len, ==, c->n_fields);
    for (guint j = 0; j < c->n_fields; j++) {
      const CopydeskJsonField *field = &g_array_index(record->fields, CopydeskJsonField, j);
      g_assert_cmpstr(field->key, ==, c->keys[j]);
      g_assert_cmpstr(field->json, ==, c->raw[j]);
    }
    copydesk_json_record_free(record);
  }
}

/* The parser honours LEN: the bytes after it are never read. */
static void test_parse_length(void)
{
  const char *text = "{\"a\":1}garbage";
  CopydeskJsonRecord *record = copydesk_json_record_parse(text, 7, NULL);
  g_assert_nonnull(record);
  g_assert_cmpstr(copydesk_json_record_get(record, "a"), ==, "1");
  copydesk_json_record_free(record);

  /* A record that is not NUL-terminated, in a buffer of exactly its size. */
  char *exact = g_memdup2("{\"a\":\"xyz\"}", 11);
  record = copydesk_json_record_parse(exact, 11, NULL);
  g_assert_nonnull(record);
  g_assert_cmpstr(copydesk_json_record_get(record, "a"), ==, "\"xyz\"");
  copydesk_json_record_free(record);
  g_free(exact);
}

/* copydesk_json_record_get() finds the first field of a key, or NULL. */
static void test_record_get(void)
{
  const char *text = "{\"id\":\"x1\",\"k\":1,\"k\":2,\"text\":\"body\"}";
  CopydeskJsonRecord *record = copydesk_json_record_parse(text, strlen(text), NULL);
  g_assert_nonnull(record);
  g_assert_cmpstr(copydesk_json_record_get(record, "k"), ==, "1");
  g_assert_cmpstr(copydesk_json_record_get(record, "id"), ==, "\"x1\"");
  g_assert_null(copydesk_json_record_get(record, "missing"));
  gsize len = 0;
  char *body = copydesk_json_string_decode(copydesk_json_record_get(record, "text"), &len);
  g_assert_cmpstr(body, ==, "body");
  g_assert_cmpuint(len, ==, 4);
  g_free(body);
  copydesk_json_record_free(record);
  copydesk_json_record_free(NULL);
}

/* ---- refusing invalid records ------------------------------------------------------- */

typedef struct {
  const char *input;
  gssize len;        /* -1: strlen */
  guint column;      /* the column the message names */
  const char *words; /* a piece of the message */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  {"{\"a\" 1}", -1, 6, "expected ':' after key"},
  {"{\"a\"", -1, 5, "unexpected end of input"},
  {"{\"a\":1,}", -1, 7, "trailing comma before '}'"},
  {"{\"a\":[1,]}", -1, 8, "trailing comma before ']'"},
  {"{\"a\":{\"b\":1,}}", -1, 12, "trailing comma before '}'"},
  {"{\"a\":\"abc}", -1, 6, "unterminated string"},
  {"{\"a\":\"abc\\", -1, 6, "unterminated string"},
  {"{\"abc", -1, 2, "unterminated string"},
  {"{\"a\":\"\\q\"}", -1, 7, "invalid escape '\\q'"},
  {"{\"a\":\"x\\u12g4\"}", -1, 8, "invalid \\u escape"},
  {"{\"a\":\"\\u12\"}", -1, 7, "invalid \\u escape"},
  {"{\"a\":\"\\ud83d\\uzzzz\"}", -1, 13, "invalid \\u escape"},
  {"{\"a\":01}", -1, 6, "leading zero"},
  {"{\"a\":-01}", -1, 7, "leading zero"},
  {"{\"a\":-}", -1, 7, "expected a digit after '-'"},
  {"{\"a\":-x}", -1, 7, "expected a digit after '-'"},
  {"{\"a\":1.}", -1, 8, "expected a digit after '.'"},
  {"{\"a\":1.e5}", -1, 8, "expected a digit after '.'"},
  {"{\"a\":1e}", -1, 8, "expected a digit in the exponent"},
  {"{\"a\":1e+}", -1, 9, "expected a digit in the exponent"},
  {"{\"a\":+1}", -1, 6, "expected a value"},
  {"{\"a\":.5}", -1, 6, "expected a value"},
  {"{\"a\":0x10}", -1, 7, "expected ',' or '}'"},
  {"{\"a\":tru}", -1, 6, "invalid literal"},
  {"{\"a\":truex}", -1, 6, "invalid literal"},
  {"{\"a\":foo}", -1, 6, "invalid literal"},
  {"{\"a\":NaN}", -1, 6, "invalid literal"},
  {"{\"a\":\"x\ny\"}", -1, 8, "raw control character U+000A"},
  {"{\"a\":\"x\ty\"}", -1, 8, "raw control character U+0009"},
  {"{\"a\":\"x\0y\"}", 11, 8, "raw control character U+0000"},
  {"{\"a\":\"\xff\"}", -1, 7, "invalid UTF-8"},
  {"{\"a\":\"\xc0\xaf\"}", -1, 7, "invalid UTF-8"},
  {"{\"a\":\"\xed\xa0\x80\"}", -1, 7, "invalid UTF-8"},
  {"{\"a\":\"ab\xe2\x82\"}", -1, 9, "invalid UTF-8"},
  {"{\"a\":\"\xf4\x90\x80\x80\"}", -1, 7, "invalid UTF-8"},
  {"{\"a\":\"\x80\"}", -1, 7, "invalid UTF-8"},
  {"{\"\xff\":1}", -1, 3, "invalid UTF-8"},
  {"[1,2]", -1, 1, "expected '{'"},
  {"  \"str\"", -1, 3, "expected '{'"},
  {"null", -1, 1, "expected '{'"},
  {"", -1, 1, "empty record"},
  {"   ", -1, 4, "empty record"},
  {"{\"a\":1} x", -1, 9, "unexpected data after the record"},
  {"{\"a\":1}{\"b\":2}", -1, 8, "unexpected data after the record"},
  {"{\"a\":1}\0", 8, 8, "unexpected data after the record"},
  {"{\"a\":1", -1, 7, "unexpected end of input, expected ',' or '}'"},
  {"{\"a\":", -1, 6, "unexpected end of input, expected a value"},
  {"{", -1, 2, "unexpected end of input, expected a string key"},
  {"{a:1}", -1, 2, "expected a string key"},
  {"{\"a\":1,,\"b\":2}", -1, 8, "expected a string key"},
  {"{\"a\":1 \"b\":2}", -1, 8, "expected ',' or '}'"},
  {"{\"a\":[1 2]}", -1, 9, "expected ',' or ']'"},
  {"{\"a\":{\"b\" 2}}", -1, 11, "expected ':' after key"},
  {"{\"a\":{1:2}}", -1, 7, "expected a string key"},
  {"{\"a\":[1,2}", -1, 10, "expected ',' or ']'"},
  {"{\"a\":{\"b\":2]}", -1, 12, "expected ',' or '}'"},
  {"{\"a\":[", -1, 7, "unexpected end of input, expected a value"},
  {"{\"a\":1]", -1, 7, "expected ',' or '}'"},
};

/* Checks that parsing INPUT (LEN bytes) fails with an input error naming COLUMN and WORDS. */
static void assert_refused(const char *input, gsize len, guint column, const char *words)
{
  GError *error = NULL;
  CopydeskJsonRecord *record = copydesk_json_record_parse(input, len, &error);
  g_assert_null(record);
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_INPUT);
  char *prefix = g_strdup_printf("column %u: ", column);
  g_test_message("-> %s", error->message);
  if (!g_str_has_prefix(error->message, prefix) || strstr(error->message, words) == NULL)
    g_error("message \"%s\" lacks \"%s\" or \"%s\"", error->message, prefix, words);
  g_assert_null(strchr(error->message, '\n'));
  g_free(prefix);
  g_error_free(error);
}

/* Every invalid case is refused with the right domain, code, column and wording. */
static void test_parse_invalid(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
    const InvalidCase *c = &invalid_cases[i];
    gsize len = c->len < 0 ? strlen(c->input) : (gsize)c->len;
    print_case(i, c->input, len);
    assert_refused(c->input, len, c->column, c->words);
  }
  /* Without a GError the parser just returns NULL. */
  g_assert_null(copydesk_json_record_parse("{\"a\":}", 6, NULL));
}

/* Nesting up to COPYDESK_JSON_MAX_DEPTH (the record's own object included) is accepted, one more
 * level is refused at the bracket that opens it, and absurd depth costs nothing. */
static void test_parse_depth(void)
{
  GString *s = g_string_new("{\"a\":");
  guint inner = COPYDESK_JSON_MAX_DEPTH - 1;
  for (guint i = 0; i < inner; i++)
    g_string_append_c(s, '[');
  for (guint i = 0; i < inner; i++)
    g_string_append_c(s, ']');
  g_string_append_c(s, '}');
  CopydeskJsonRecord *record = copydesk_json_record_parse(s->str, s->len, NULL);
  g_assert_nonnull(record);
  copydesk_json_record_free(record);

  /* Mixed objects and arrays at exactly the limit. */
  g_string_assign(s, "{\"a\":");
  for (guint i = 0; i < inner; i++)
    g_string_append(s, i % 2 ? "[" : "{\"k\":");
  g_string_append(s, "1");
  for (guint i = inner; i-- > 0;)
    g_string_append_c(s, i % 2 ? ']' : '}');
  g_string_append_c(s, '}');
  record = copydesk_json_record_parse(s->str, s->len, NULL);
  g_assert_nonnull(record);
  copydesk_json_record_free(record);

  /* One more level: refused at the 512th bracket, column 5 + 512. */
  g_string_assign(s, "{\"a\":");
  for (guint i = 0; i < inner + 1; i++)
    g_string_append_c(s, '[');
  for (guint i = 0; i < inner + 1; i++)
    g_string_append_c(s, ']');
  g_string_append_c(s, '}');
  assert_refused(s->str, s->len, 5 + COPYDESK_JSON_MAX_DEPTH, "nesting deeper than 512");

  /* 100000 open brackets, and 100000 nested objects (the 513th '{' opens past the limit). */
  g_string_assign(s, "{\"a\":");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c(s, '[');
  assert_refused(s->str, s->len, 517, "nesting deeper than 512");
  g_string_truncate(s, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append(s, "{\"a\":");
  assert_refused(s->str, s->len, 1 + 5 * COPYDESK_JSON_MAX_DEPTH, "nesting deeper than 512");
  g_string_free(s, TRUE);
}

/* ---- decoding string literals ------------------------------------------------------- */

typedef struct {
  const char *json;
  const char *bytes; /* NULL: the literal is refused */
  gsize len;
} DecodeCase;

static const DecodeCase decode_cases[] = {
  {"\"abc\"", "abc", 3},
  {"\"\"", "", 0},
  {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
  {"\"\\u00e9\\u00C9\"", "\xc3\xa9\xc3\x89", 4},
  {"\"\\u20AC\\u0041\\u007f\\u0800\\uffff\"", "\xe2\x82\xac" "A\x7f\xe0\xa0\x80\xef\xbf\xbf", 11},
  {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
  {"\"\\uD800\\uDC00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8},
  {"\"\\ud83d\"", "\xef\xbf\xbd", 3},
  {"\"\\ude00\"", "\xef\xbf\xbd", 3},
  {"\"\\ud83dx\"", "\xef\xbf\xbdx", 4},
  {"\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A", 4},
  {"\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80", 7},
  {"\"\\ude00\\ud83d\"", "\xef\xbf\xbd\xef\xbf\xbd", 6},
  {"\"a\\u0000b\"", "a\0b", 3},
  {"\"\\u0000\"", "\0", 1},
  {"\"h\xc3\xa9llo \xf0\x9f\x98\x80\"", "h\xc3\xa9llo \xf0\x9f\x98\x80", 11},
  {"\"0123456789abcdef0123456789\\n0123456789\"",
   "0123456789abcdef0123456789\n0123456789", 37},
  {"abc", NULL, 0},
  {"\"abc", NULL, 0},
  {"\"a\"b", NULL, 0},
  {"\"a\" ", NULL, 0},
  {"1", NULL, 0},
  {"\"", NULL, 0},
  {"", NULL, 0},
  {"\"\\x\"", NULL, 0},
  {"\"\\u12\"", NULL, 0},
  {"\"\xff\"", NULL, 0},
  {"\"a\nb\"", NULL, 0},
};

/* Each literal decodes to exactly the expected bytes (or is refused). */
static void test_string_decode(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(decode_cases); i++) {
    const DecodeCase *c = &decode_cases[i];
    print_case(i, c->json, strlen(c->json));
    gsize len = 12345;
    char *bytes = copydesk_json_string_decode(c->json, &len);
    if (c->bytes == NULL) {
      g_assert_null(bytes);
      continue;
    }
    g_assert_nonnull(bytes);
    g_assert_cmpmem(bytes, len, c->bytes, c->len);
    g_assert_cmpint(bytes[len], ==, '\0');
    g_free(bytes);
  }
  g_assert_null(copydesk_json_string_decode(NULL, NULL));
  char *plain = copydesk_json_string_decode("\"x\"", NULL);
  g_assert_cmpstr(plain, ==, "x");
  g_free(plain);
}

/* ---- the reader's path: parsing in place, the text decoded in the same pass ------------ */

/* Parses the LEN bytes of RECORD in place, from a copy of exactly that size, decoding the field
 * KEY into a buffer of exactly LEN + 1 bytes; checks the result is WANT (WANT_LEN bytes), or that
 * nothing was decoded when WANT is NULL.  Returns the fields (to free with g_array_unref), whose
 * strings point into *COPY (to free with g_free). */
static GArray *parse_in_place(const char *record, gsize len, const char *key, const char *want,
                              gsize want_len, char **copy)
{
  *copy = g_memdup2(record, len);
  char *decoded = key != NULL ? g_malloc(len + 1) : NULL;
  GArray *fields = g_array_new(FALSE, FALSE, sizeof(CopydeskJsonField));
  g_array_set_size(fields, 3); /* emptied by the parser */
  gsize decoded_len = 7;
  GError *error = NULL;
  gboolean ok = copydesk_json_record_parse_in_place(*copy, len, fields, key, decoded,
                                                    key != NULL ? &decoded_len : NULL, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  if (key != NULL && want == NULL) {
    g_assert_cmpuint(decoded_len, ==, G_MAXSIZE);
  } else if (key != NULL) {
    g_assert_cmpmem(decoded, decoded_len, want, want_len);
    g_assert_cmpint(decoded[decoded_len], ==, '\0');
  }
  g_free(decoded);
  return fields;
}

/* The field I of FIELDS. */
static const CopydeskJsonField *field_at(GArray *fields, guint i)
{
  g_assert_cmpuint(i, <, fields->len);
  return &g_array_index(fields, CopydeskJsonField, i);
}

/* Fields parsed in place keep their raw values, NUL-terminated in the record's bytes; the first
 * field of the key asked for is decoded when it is a string, and only then. */
static void test_parse_in_place(void)
{
  const char *record = "{\"id\":7, \"te\\u0078t\" : \"a\\\"b\\u00e9\" ,\"n\":{\"x\":[1]}}";
  char *copy;
  GArray *fields = parse_in_place(record, strlen(record), "text", "a\"b\xc3\xa9", 5, &copy);
  g_assert_cmpuint(fields->len, ==, 3);
  g_assert_cmpstr(field_at(fields, 0)->key, ==, "id");
  g_assert_cmpstr(field_at(fields, 0)->json, ==, "7");
  g_assert_cmpuint(field_at(fields, 0)->json_len, ==, 1);
  g_assert_cmpstr(field_at(fields, 1)->key, ==, "text");
  g_assert_cmpstr(field_at(fields, 1)->json, ==, "\"a\\\"b\\u00e9\"");
  g_assert_cmpuint(field_at(fields, 1)->json_len, ==, 12);
  g_assert_cmpstr(field_at(fields, 2)->key, ==, "n");
  g_assert_cmpstr(field_at(fields, 2)->json, ==, "{\"x\":[1]}");
  g_assert_cmpuint(field_at(fields, 2)->json_len, ==, 9);
  g_array_unref(fields);
  g_free(copy);

  /* Not decoded: a value that is not a string, a key that is missing, a first field of the key
   * that is not a string (the second one does not count); decoded: the first string of two. */
  static const struct {
    const char *record, *key, *want;
  } cases[] = {
    {"{\"n\":{\"x\":\"y\"}}", "n", NULL},
    {"{\"a\":\"b\"}", "text", NULL},
    {"{\"text\":1,\"text\":\"x\"}", "text", NULL},
    {"{\"text\":\"x\",\"text\":\"y\"}", "text", "x"},
    {"{\"x\":\"\",\"text\":\"\"}", "text", ""},
    {"{\"\":\"empty key\"}", "", "empty key"},
    {"{\"text\":\"x\"}", NULL, NULL},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    print_case(i, cases[i].record, strlen(cases[i].record));
    const char *want = cases[i].want;
    fields = parse_in_place(cases[i].record, strlen(cases[i].record), cases[i].key, want,
                            want != NULL ? strlen(want) : 0, &copy);
    g_array_unref(fields);
    g_free(copy);
  }
}

/* Every decode case (and every refused literal) gives the same result with 0 to 17 plain bytes
 * before and after it, so that escapes, UTF-8 sequences, control bytes and the closing quote
 * fall at every position of the eight- and sixteen-byte blocks; both through
 * copydesk_json_string_decode() and as the text field of a record parsed in place. */
static void test_decode_every_offset(void)
{
  const char *pad = "0123456789abcdefgh";
  const char *pad_after = "ghijklmnopqrstuvwx"; /* no hex digit: "\\u12" stays refused */
  for (guint i = 0; i < G_N_ELEMENTS(decode_cases); i++) {
    const DecodeCase *c = &decode_cases[i];
    gsize json_len = strlen(c->json);
    if (json_len < 2 || c->json[0] != '"' || c->json[json_len - 1] != '"')
      continue; /* not a literal with something inside to shift */
    for (guint before = 0; before <= 17; before++) {
      guint after = 17 - before;
      GString *literal = g_string_new("\"");
      g_string_append_len(literal, pad, before);
      g_string_append_len(literal, c->json + 1, (gssize)json_len - 2);
      g_string_append_len(literal, pad_after, after);
      g_string_append_c(literal, '"');
      GString *want = g_string_new_len(pad, before);
      if (c->bytes != NULL)
        g_string_append_len(want, c->bytes, (gssize)c->len);
      g_string_append_len(want, pad_after, after);
      print_case(i * 100 + before, literal->str, literal->len);

      char *exact = g_memdup2(literal->str, literal->len + 1); /* no slack after the NUL */
      gsize len = 0;
      char *bytes = copydesk_json_string_decode(exact, &len);
      GString *record = g_string_new("{\"text\":");
      g_string_append_len(record, literal->str, (gssize)literal->len);
      g_string_append_c(record, '}');
      if (c->bytes != NULL) {
        g_assert_cmpmem(bytes, len, want->str, want->len);
        char *copy;
        GArray *fields = parse_in_place(record->str, record->len, "text", want->str, want->len,
                                        &copy);
        g_assert_cmpstr(field_at(fields, 0)->json, ==, literal->str);
        g_array_unref(fields);
        g_free(copy);
      } else {
        g_assert_null(bytes);
        g_assert_null(copydesk_json_record_parse(record->str, record->len, NULL));
      }
      g_free(bytes);
      g_free(exact);
      g_string_free(record, TRUE);
      g_string_free(want, TRUE);
      g_string_free(literal, TRUE);
    }
  }
}

/* A bad byte or escape inside a string is refused at its own column, wherever it falls in a
 * block of eight, and a string cut short at any length is "unterminated" at its quote. */
static void test_refuse_every_offset(void)
{
  static const struct {
    const char *bad, *words;
  } bad[] = {
    {"\x01", "raw control character U+0001"},
    {"\x1f", "raw control character U+001F"},
    {"\t", "raw control character U+0009"},
    {"\xff", "invalid UTF-8"},
    {"\x80", "invalid UTF-8"},
    {"\xc3(", "invalid UTF-8"},
    {"\xed\xa0\x80", "invalid UTF-8"},
    {"\xf4\x90\x80\x80", "invalid UTF-8"},
    {"\xe2\x82", "invalid UTF-8"},
    {"\\x", "invalid escape '\\x'"},
    {"\\u12g4", "invalid \\u escape"},
  };
  const char *pad = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    for (guint before = 0; before <= 17; before++) {
      for (guint after = 0; after <= 17; after += 17) {
        GString *record = g_string_new("{\"text\":\"");
        g_string_append_len(record, pad, before);
        g_string_append(record, bad[i].bad);
        g_string_append_len(record, pad, after);
        g_string_append(record, "\"}");
        print_case(i * 100 + before, record->str, record->len);
        assert_refused(record->str, record->len, 10 + before, bad[i].words);
        g_string_free(record, TRUE);
      }
    }
  }
  for (guint n = 0; n <= 36; n++) {
    GString *record = g_string_new("{\"text\":\"");
    g_string_append_len(record, pad, n);
    assert_refused(record->str, record->len, 9, "unterminated string");
    g_string_append_c(record, '\\'); /* cut inside an escape */
    assert_refused(record->str, record->len, 9, "unterminated string");
    g_string_free(record, TRUE);
  }
}

/* A string of 2 MB mixing plain runs of every length with escapes, surrogate pairs and UTF-8
 * decodes to exactly the bytes it was made from, and writes back to the same bytes. */
static void test_decode_long(void)
{
  GRand *rand = g_rand_new_with_seed(20240617);
  GString *literal = g_string_new("{\"id\":1,\"text\":\"");
  GString *want = g_string_new(NULL);
  while (want->len < 2000000) {
    guint run = (guint)g_rand_int_range(rand, 0, 40);
    for (guint k = 0; k < run; k++) {
      char c = (char)g_rand_int_range(rand, 0x20, 0x7f);
      if (c == '"' || c == '\\')
        c = 'q';
      g_string_append_c(literal, c);
      g_string_append_c(want, c);
    }
    switch (g_rand_int_range(rand, 0, 7)) {
    case 0:
      g_string_append(literal, "\\n");
      g_string_append_c(want, '\n');
      break;
    case 1:
      g_string_append(literal, "\\\"\\\\");
      g_string_append(want, "\"\\");
      break;
    case 2:
      g_string_append(literal, "\\u00e9");
      g_string_append(want, "\xc3\xa9");
      break;
    case 3:
      g_string_append(literal, "\\ud83d\\ude00");
      g_string_append(want, "\xf0\x9f\x98\x80");
      break;
    case 4:
      g_string_append(literal, "\xe2\x80\x9c\xc3\xa9\xf0\x9f\x98\x80");
      g_string_append(want, "\xe2\x80\x9c\xc3\xa9\xf0\x9f\x98\x80");
      break;
    case 5:
      g_string_append(literal, "\\u0000");
      g_string_append_c(want, '\0');
      break;
    default:
      break;
    }
  }
  g_string_append(literal, "\",\"after\":[true]}");

  char *copy;
  GArray *fields = parse_in_place(literal->str, literal->len, "text", want->str, want->len, &copy);
  g_assert_cmpuint(fields->len, ==, 3);
  g_assert_cmpstr(field_at(fields, 2)->json, ==, "[true]");
  gsize back_len = 0;
  char *back = copydesk_json_string_decode(field_at(fields, 1)->json, &back_len);
  g_assert_cmpmem(back, back_len, want->str, want->len);

  GString *written = g_string_new(NULL);
  copydesk_json_append_string(written, want->str, (gssize)want->len);
  gsize again_len = 0;
  char *again = copydesk_json_string_decode(written->str, &again_len);
  g_assert_cmpmem(again, again_len, want->str, want->len);

  g_free(again);
  g_string_free(written, TRUE);
  g_free(back);
  g_array_unref(fields);
  g_free(copy);
  g_string_free(want, TRUE);
  g_string_free(literal, TRUE);
  g_rand_free(rand);
}

/* ---- writing strings ---------------------------------------------------------------- */

typedef struct {
  const char *in;
  gssize len; /* -1: NUL-terminated */
  const char *out;
} WriteCase;

static const WriteCase write_cases[] = {
  {"", -1, "\"\""},
  {"plain text", -1, "\"plain text\""},
  {"\"\\", -1, "\"\\\"\\\\\""},
  {"/", -1, "\"/\""},
  {"\b\f\n\r\t", -1, "\"\\b\\f\\n\\r\\t\""},
  {"\x01\x1f\x0b", -1, "\"\\u0001\\u001f\\u000b\""},
  {"\x7f", -1, "\"\x7f\""},
  {"\0", 1, "\"\\u0000\""},
  {"a\0b", 3, "\"a\\u0000b\""},
  {"ab", 1, "\"a\""},
  {"\xe2\x80\xa8\xe2\x80\xa9", -1, "\"\\u2028\\u2029\""},
  {"x\xe2\x80\xa8y\xe2\x80\xa7", -1, "\"x\\u2028y\xe2\x80\xa7\""},
  {"\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbf", -1, "\"\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbf\""},
  {"\xff", -1, "\"\\ufffd\""},
  {"a\xc3", -1, "\"a\\ufffd\""},
  {"\xe2\x82", -1, "\"\\ufffd\\ufffd\""},
  {"\xe2\x80", -1, "\"\\ufffd\\ufffd\""},
  {"\xed\xa0\x80", -1, "\"\\ufffd\\ufffd\\ufffd\""},
  {"\xc0\xaf", -1, "\"\\ufffd\\ufffd\""},
  {"\xf4\x90\x80\x80", -1, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
  {"\x80x", -1, "\"\\ufffdx\""},
  /* four to seven bytes: plain, or one byte to escape at the start, inside, at the end */
  {"abcd", -1, "\"abcd\""},
  {"abcdefg", -1, "\"abcdefg\""},
  {"\"bcde", -1, "\"\\\"bcde\""},
  {"ab\\cdef", -1, "\"ab\\\\cdef\""},
  {"abcdef\n", -1, "\"abcdef\\n\""},
  {"ab\xc3\xa9", -1, "\"ab\xc3\xa9\""},
  {"abcde\xff", -1, "\"abcde\\ufffd\""},
  {"0123456789abcdef\"0123456789\\abcdefgh\n", -1,
   "\"0123456789abcdef\\\"0123456789\\\\abcdefgh\\n\""},
  {"0123456789\xc3\xa9" "0123456789\xff" "0123456789", -1,
   "\"0123456789\xc3\xa9" "0123456789\\ufffd0123456789\""},
};

/* Each input is written exactly as expected, and the output reads back as a JSON value. */
static void test_append_string(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(write_cases); i++) {
    const WriteCase *c = &write_cases[i];
    GString *out = g_string_new("prefix:");
    copydesk_json_append_string(out, c->in, c->len);
    g_assert_true(g_str_has_prefix(out->str, "prefix:"));
    g_string_erase(out, 0, 7);
    g_assert_cmpstr(out->str, ==, c->out);
    gsize len;
    char *back = copydesk_json_string_decode(out->str, &len);
    g_assert_nonnull(back);
    g_free(back);
    g_string_free(out, TRUE);
  }
  GString *out = g_string_new(NULL);
  copydesk_json_append_string(out, NULL, 0);
  g_assert_cmpstr(out->str, ==, "\"\"");
  g_string_free(out, TRUE);
}

/* Every write case comes out the same with 0 to 17 plain bytes before and after it, so that each
 * escape and UTF-8 sequence falls at every position of the eight- and sixteen-byte blocks; into
 * strings that have no room to spare (each escape grows them) and into ones that have plenty. */
static void test_append_string_every_offset(void)
{
  const char *pad = "0123456789abcdefgh";
  for (guint i = 0; i < G_N_ELEMENTS(write_cases); i++) {
    const WriteCase *c = &write_cases[i];
    gsize in_len = c->len < 0 ? strlen(c->in) : (gsize)c->len;
    gsize out_len = strlen(c->out);
    for (guint before = 0; before <= 17; before++) {
      guint after = 17 - before;
      GString *in = g_string_new_len(pad, before);
      g_string_append_len(in, c->in, (gssize)in_len);
      g_string_append_len(in, pad, after);
      GString *want = g_string_new("\"");
      g_string_append_len(want, pad, before);
      g_string_append_len(want, c->out + 1, (gssize)out_len - 2);
      g_string_append_len(want, pad, after);
      g_string_append_c(want, '"');
      print_case(i * 100 + before, in->str, in->len);

      char *exact = g_memdup2(in->str, in->len); /* no NUL after it */
      for (guint spare = 0; spare < 2; spare++) {
        GString *out = g_string_sized_new(spare ? 4096 : 0);
        g_string_append(out, "prefix:");
        copydesk_json_append_string(out, exact, (gssize)in->len);
        g_assert_true(g_str_has_prefix(out->str, "prefix:"));
        g_assert_cmpstr(out->str + 7, ==, want->str);
        g_assert_cmpuint(out->len, ==, 7 + want->len);
        g_string_free(out, TRUE);
      }
      g_free(exact);
      g_string_free(want, TRUE);
      g_string_free(in, TRUE);
    }
  }
}

/* A long string of escapes only (each one grows the output) and a long plain one are written
 * exactly, after whatever the output already held. */
static void test_append_string_long(void)
{
  GString *in = g_string_new(NULL);
  GString *want = g_string_new("x\"");
  for (guint i = 0; i < 100000; i++) {
    g_string_append_c(in, (char)(i % 3 == 0 ? '\x01' : i % 3 == 1 ? '"' : '\n'));
    g_string_append(want, i % 3 == 0 ? "\\u0001" : i % 3 == 1 ? "\\\"" : "\\n");
  }
  g_string_append_c(want, '"');
  GString *out = g_string_new("x");
  copydesk_json_append_string(out, in->str, (gssize)in->len);
  g_assert_cmpuint(out->len, ==, want->len);
  g_assert_cmpstr(out->str, ==, want->str);

  g_string_truncate(in, 0);
  for (guint i = 0; i < 1000003; i++)
    g_string_append_c(in, (char)('a' + i % 26));
  g_string_truncate(out, 0);
  copydesk_json_append_string(out, in->str, (gssize)in->len);
  g_assert_cmpuint(out->len, ==, in->len + 2);
  g_assert_cmpmem(out->str + 1, out->len - 2, in->str, in->len);
  g_assert_cmpint(out->str[out->len], ==, '\0');
  g_string_free(out, TRUE);
  g_string_free(want, TRUE);
  g_string_free(in, TRUE);
}

/* Appends code point CP to S as UTF-8. */
static void append_code_point(GString *s, gunichar cp)
{
  char buf[6];
  g_string_append_len(s, buf, g_unichar_to_utf8(cp, buf));
}

/* Writes TEXT, checks the result is one valid JSON value inside a record, decodes it and returns
 * the decoded bytes (LEN receives their count). */
static char *write_and_read_back(const char *text, gsize text_len, gsize *len)
{
  GString *out = g_string_new("{\"s\":");
  copydesk_json_append_string(out, text, (gssize)text_len);
  g_string_append_c(out, '}');
  GError *error = NULL;
  CopydeskJsonRecord *record = copydesk_json_record_parse(out->str, out->len, &error);
  g_assert_no_error(error);
  const char *raw = copydesk_json_record_get(record, "s");
  g_assert_nonnull(raw);
  /* No raw U+2028/U+2029 and no control characters survive in the output. */
  g_assert_null(strstr(raw, "\xe2\x80\xa8"));
  g_assert_null(strstr(raw, "\xe2\x80\xa9"));
  char *back = copydesk_json_string_decode(raw, len);
  g_assert_nonnull(back);
  copydesk_json_record_free(record);
  g_string_free(out, TRUE);
  return back;
}

/* Every Unicode scalar value survives append then decode, alone and in runs. */
static void test_append_string_all_code_points(void)
{
  GString *run = g_string_new(NULL);
  for (gunichar cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    append_code_point(run, cp);
    /* A few code points on their own, in steps, to cover the single-character paths. */
    if (cp % 97 == 0 || cp < 0x100 || (cp >= 0x2020 && cp <= 0x2030)) {
      GString *one = g_string_new(NULL);
      append_code_point(one, cp);
      gsize len;
      char *back = write_and_read_back(one->str, one->len, &len);
      g_assert_cmpmem(back, len, one->str, one->len);
      g_free(back);
      g_string_free(one, TRUE);
    }
    /* Then runs of 4096 code points at a time. */
    if (run->len >= 4096 * 3 || cp == 0x10FFFF) {
      gsize len;
      char *back = write_and_read_back(run->str, run->len, &len);
      g_assert_cmpmem(back, len, run->str, run->len);
      g_free(back);
      g_string_truncate(run, 0);
    }
  }
  g_string_free(run, TRUE);
}

/* TRUE when the LEN bytes at S are valid UTF-8 (NUL counts as valid, unlike for
 * g_utf8_validate_len()). */
static gboolean utf8_valid(const char *s, gsize len)
{
  char *copy = g_memdup2(s, len + 1);
  for (gsize i = 0; i < len; i++)
    if (copy[i] == '\0')
      copy[i] = ' ';
  gboolean valid = g_utf8_validate_len(copy, len, NULL);
  g_free(copy);
  return valid;
}

/* Random bytes always come out as valid JSON whose decoded text is valid UTF-8; when the input
 * was valid UTF-8 it reads back unchanged. */
static void test_append_string_random_bytes(void)
{
  for (guint round = 0; round < 2000; round++) {
    gsize n = (gsize)g_test_rand_int_range(0, 64);
    char *bytes = g_malloc(n + 1);
    for (gsize i = 0; i < n; i++) {
      /* Mostly ASCII, some high bytes, some controls, to hit every branch. */
      gint32 pick = g_test_rand_int_range(0, 10);
      bytes[i] = (char)(pick < 6 ? g_test_rand_int_range(0x20, 0x7f)
                        : pick < 9 ? g_test_rand_int_range(0x80, 0x100)
                                   : g_test_rand_int_range(0, 0x20));
    }
    gsize len;
    char *back = write_and_read_back(bytes, n, &len);
    g_assert_true(utf8_valid(back, len));
    if (utf8_valid(bytes, n))
      g_assert_cmpmem(back, len, bytes, n);
    g_free(back);
    g_free(bytes);
  }
}

/* ---- writing doubles ---------------------------------------------------------------- */

typedef struct {
  double value;
  const char *out;
} DoubleCase;

/* Formats VALUE with copydesk_json_append_double() into a new string. */
static char *format_double(double value)
{
  GString *out = g_string_new(NULL);
  copydesk_json_append_double(out, value);
  return g_string_free(out, FALSE);
}

/* Known values print in their expected shortest forms. */
static void test_append_double(void)
{
  const DoubleCase cases[] = {
    {0.1, "0.1"},
    {1e300, "1e+300"},
    {-0.0, "-0"},
    {0.0, "0"},
    {3.0, "3"},
    {-42.0, "-42"},
    {1.5, "1.5"},
    {1e21, "1e+21"},
    {1e20, "100000000000000000000"},
    {-1e20, "-100000000000000000000"},
    {9007199254740992.0, "9007199254740992"},
    {12345678901234567890.0, "12345678901234567000"},
    {123456789012.0, "123456789012"},
    {0.1 + 0.2, "0.30000000000000004"},
    {1e-7, "1e-7"},
    {-1.5e-10, "-1.5e-10"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {123456.789, "123456.789"},
    {NAN, "null"},
    {INFINITY, "null"},
    {-INFINITY, "null"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = format_double(cases[i].value);
    g_assert_cmpstr(text, ==, cases[i].out);
    g_free(text);
  }
}

/* Random finite doubles read back bit for bit, and the output is a JSON number. */
static void test_append_double_round_trip(void)
{
  for (guint i = 0; i < 20000; i++) {
    guint64 bits = ((guint64)g_test_rand_int() << 32) | (guint32)g_test_rand_int();
    double value;
    memcpy(&value, &bits, sizeof value);
    if (!isfinite(value))
      continue;
    char *text = format_double(value);
    double back = g_ascii_strtod(text, NULL);
    if (memcmp(&back, &value, sizeof value) != 0)
      g_error("%s does not read back as %.17g", text, value);
    char *record_text = g_strdup_printf("{\"n\":%s}", text);
    CopydeskJsonRecord *record = copydesk_json_record_parse(record_text, strlen(record_text), NULL);
    g_assert_nonnull(record);
    copydesk_json_record_free(record);
    g_free(record_text);
    g_free(text);
  }
}

/* Multiples of 1/1000 (scores, confidences) take a shorter path; it must print what %.15g does. */
static void test_append_double_thousandths(void)
{
  const double big[] = {999999999.999, 123456789.5, 100000000.0, 987654.321, 0.001, 0.05};
  for (gint64 k = -30000; k <= 300000; k++) {
    double value = (k % 7 == 0 && k > 0) ? big[k % G_N_ELEMENTS(big)] : (double)k / 1000.0;
    if (value == 0.0)
      continue;
    char expected[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(expected, sizeof expected, "%.15g", value);
    char *text = format_double(value);
    if (strcmp(text, expected) != 0)
      g_error("%.17g printed as %s, expected %s", value, text, expected);
    g_free(text);
  }
}

/* The output does not depend on LC_NUMERIC. */
static void test_append_double_locale(void)
{
  const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
  char *saved = g_strdup(setlocale(LC_NUMERIC, NULL));
  gboolean found = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS(locales) && !found; i++)
    found = setlocale(LC_NUMERIC, locales[i]) != NULL;
  if (!found) {
    g_free(saved);
    g_test_skip("no locale with a decimal comma installed");
    return;
  }
  char *text = format_double(1234.5);
  g_assert_cmpstr(text, ==, "1234.5");
  g_free(text);
  setlocale(LC_NUMERIC, saved);
  g_free(saved);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json/parse/valid", test_parse_valid);
  g_test_add_func("/json/parse/length", test_parse_length);
  g_test_add_func("/json/parse/get", test_record_get);
  g_test_add_func("/json/parse/invalid", test_parse_invalid);
  g_test_add_func("/json/parse/depth", test_parse_depth);
  g_test_add_func("/json/decode", test_string_decode);
  g_test_add_func("/json/parse/in-place", test_parse_in_place);
  g_test_add_func("/json/decode/every-offset", test_decode_every_offset);
  g_test_add_func("/json/decode/refused-every-offset", test_refuse_every_offset);
  g_test_add_func("/json/decode/long", test_decode_long);
  g_test_add_func("/json/write/string", test_append_string);
  g_test_add_func("/json/write/string-every-offset", test_append_string_every_offset);
  g_test_add_func("/json/write/string-long", test_append_string_long);
  g_test_add_func("/json/write/string-code-points", test_append_string_all_code_points);
  g_test_add_func("/json/write/string-random-bytes", test_append_string_random_bytes);
  g_test_add_func("/json/write/double", test_append_double);
  g_test_add_func("/json/write/double-round-trip", test_append_double_round_trip);
  g_test_add_func("/json/write/double-thousandths", test_append_double_thousandths);
  g_test_add_func("/json/write/double-locale", test_append_double_locale);
  return g_test_run();
}
