/* copydesk — tests of the json and jsonl output plugins (the output contract).
 *
 * Documents are built by hand with the document API and formatted through the real
 * loader by the harness; every expectation is an exact string, so a test fails on any
 * change of key order, number form or escaping.
 */
#include <copydesk/copydesk.h>

#include <dlfcn.h>
#include <string.h>

#include "harness.h"

/* ---- Helpers -------------------------------------------------------------- */

/* Formats DOC with output plugin PLUGIN and OPTIONS (a YAML flow mapping). */
static char *format_doc(const char *plugin, const char *options, const CopydeskDocument *doc) {
  char *yaml =
      g_strdup_printf("pipeline: []\noutput:\n  plugin: %s\n  options: %s\n", plugin, options);
  CopydeskHarness *h = copydesk_harness_new(yaml);
  char *out = copydesk_harness_format(h, doc);
  copydesk_harness_free(h);
  g_free(yaml);
  return out;
}

static void assert_format(const char *plugin, const char *options, const CopydeskDocument *doc,
                          const char *expected) {
  char *out = format_doc(plugin, options, doc);
  g_assert_cmpstr(out, ==, expected);
  g_free(out);
}


static void replace(CopydeskDocument *doc, gsize start, gsize end, const char *text) {
  GError *error = NULL;
  g_assert_true(copydesk_document_replace(doc, start, end, text, -1, &error));
  g_assert_no_error(error);
}

/* ---- Offsets ---------------------------------------------------------------- */

/* "Café 😀 said Ana.": é is 2 bytes / 1 code point / 1 UTF-16 unit, the emoji (outside the
 * BMP) 4 bytes / 1 code point / 2 UTF-16 units. */
static const char cafe[] = "Caf\xc3\xa9 \xf0\x9f\x98\x80 said Ana.";

static CopydeskDocument *make_cafe(void) {
  CopydeskDocument *doc = copydesk_document_new("t1", cafe, -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, strlen(cafe), "sentence");
  /* Added out of order: the output is sorted by start. */
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Ana", 0, "PERSON");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "\xf0\x9f\x98\x80", 0, "MISC");
  return doc;
}

static void test_offsets_codepoints(void) {
  CopydeskDocument *doc = make_cafe();
  const char *expected =
      "{\"id\":\"t1\",\"sentences\":[[0,16]],\"mentions\":["
      "{\"start\":5,\"end\":6,\"text\":\"\xf0\x9f\x98\x80\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":12,\"end\":15,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n";
  assert_format("jsonl", "{include: [sentences, mentions], include_text: false}", doc, expected);
  /* codepoints is the default unit; naming it changes nothing. */
  assert_format("jsonl",
                "{offsets: codepoints, include: [sentences, mentions], include_text: false}", doc,
                expected);
  copydesk_document_free(doc);
}

static void test_offsets_bytes(void) {
  CopydeskDocument *doc = make_cafe();
  assert_format(
      "jsonl", "{offsets: bytes, include: [sentences, mentions], include_text: false}", doc,
      "{\"id\":\"t1\",\"sentences\":[[0,20]],\"mentions\":["
      "{\"start\":6,\"end\":10,\"text\":\"\xf0\x9f\x98\x80\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":16,\"end\":19,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n");
  copydesk_document_free(doc);
}

static void test_offsets_utf16(void) {
  CopydeskDocument *doc = make_cafe();
  assert_format(
      "jsonl", "{offsets: utf16, include: [sentences, mentions], include_text: false}", doc,
      "{\"id\":\"t1\",\"sentences\":[[0,17]],\"mentions\":["
      "{\"start\":5,\"end\":7,\"text\":\"\xf0\x9f\x98\x80\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":13,\"end\":16,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n");
  copydesk_document_free(doc);
}

/* After edits that shorten the text, offsets and "text" still refer to the original. */
static CopydeskDocument *make_edited(void) {
  CopydeskDocument *doc = copydesk_document_new("t2", cafe, -1);
  /* Made before the edits: the core moves it. */
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, strlen(cafe), "sentence");
  gsize emoji = copydesk_harness_find(doc, "\xf0\x9f\x98\x80", 0);
  replace(doc, emoji, emoji + 5, ""); /* delete "😀 " */
  replace(doc, 3, 5, "e");            /* é → e */
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "Cafe said Ana.");
  /* Made after the edits, on the current text. */
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Ana", 0, "PERSON");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "said", 0, "MISC");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Cafe", 0, "ORG");
  return doc;
}

/* ---- Offsets counted forwards and back -------------------------------------- */

/* "[[s,e],…]" for the spans [STARTS[k], ENDS[k]) of DOC's current text, each end mapped to the
 * original and counted in UNIT by the core itself, the way the record maps them. */
static char *expected_pairs(const CopydeskDocument *doc, const GArray *starts, const GArray *ends,
                            CopydeskOffsetUnit unit) {
  gsize original_len;
  copydesk_document_original(doc, &original_len);
  GString *s = g_string_new("[");
  for (guint k = 0; k < starts->len; k++) {
    gsize bs = MIN(copydesk_document_original_start(doc, g_array_index(starts, gsize, k)),
                   original_len);
    gsize be = MIN(copydesk_document_original_end(doc, g_array_index(ends, gsize, k)),
                   original_len);
    be = MAX(be, bs);
    g_string_append_printf(s, "%s[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]", k ? "," : "",
                           copydesk_document_original_offset(doc, bs, unit),
                           copydesk_document_original_offset(doc, be, unit));
  }
  g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}

/* Random spans of at most MAX_LEN bytes of the current text of DOC, in order, on character
 * boundaries, added to LAYER; their bounds go to STARTS and ENDS. */
static void add_random_spans(CopydeskDocument *doc, const char *layer, GRand *rand, gsize max_len,
                             GArray *starts, GArray *ends) {
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  gsize pos = 0;
  for (;;) {
    gsize start = pos + (gsize)g_rand_int_range(rand, 0, 8);
    while (start < len && (text[start] & 0xC0) == 0x80)
      start++;
    gsize end = start + 1 + (gsize)g_rand_int_range(rand, 0, (gint32)max_len);
    while (end < len && (text[end] & 0xC0) == 0x80)
      end++;
    if (start >= len)
      break;
    end = MIN(end, len);
    copydesk_harness_add_span(doc, layer, start, end, layer);
    g_array_append_val(starts, start);
    g_array_append_val(ends, end);
    pos = end;
  }
}

/* Offsets come out as the core counts them, in every unit, whether the writer counts forwards
 * (one layer), steps back a little or a long way (to the start of the next layer, in texts
 * shorter and longer than its limit for counting back), and over text with invalid bytes. */
static void test_offsets_forwards_and_back(void) {
  static const char *const pieces[] = {"a", "bc d", " ", "\n", "\xc3\xa9", "\xe2\x80\x9c",
                                       "\xf0\x9f\x98\x80", "0123456789abcdef", "\xff"};
  static const char *const units[] = {"codepoints", "bytes", "utf16"};
  static const char *const layers[] = {COPYDESK_LAYER_SENTENCE, COPYDESK_LAYER_PARAGRAPH,
                                       COPYDESK_LAYER_TOKEN};
  static const char *const keys[] = {"sentences", "paragraphs", "tokens"};
  static const gsize max_lens[] = {300, 3000, 12};
  GRand *rand = g_rand_new_with_seed(20240617);
  for (guint round = 0; round < 12; round++) {
    gsize size = round < 4 ? 200 : round < 8 ? 3000 : 20000;
    gboolean invalid = round % 4 == 3;
    GString *text = g_string_new(NULL);
    while (text->len < size) {
      guint pick = (guint)g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces) - (invalid ? 0 : 1));
      g_string_append(text, pieces[pick]);
    }
    CopydeskDocument *doc = copydesk_document_new("r", text->str, (gssize)text->len);
    GArray *starts[3], *ends[3];
    for (guint l = 0; l < 3; l++) {
      starts[l] = g_array_new(FALSE, FALSE, sizeof(gsize));
      ends[l] = g_array_new(FALSE, FALSE, sizeof(gsize));
      add_random_spans(doc, layers[l], rand, max_lens[l], starts[l], ends[l]);
    }
    for (guint u = 0; u < G_N_ELEMENTS(units); u++) {
      char *options = g_strdup_printf("{offsets: %s, include: [sentences, paragraphs, tokens]}",
                                      units[u]);
      char *out = format_doc("jsonl", options, doc);
      for (guint l = 0; l < 3; l++) {
        char *pairs = expected_pairs(doc, starts[l], ends[l], (CopydeskOffsetUnit)u);
        char *want = g_strdup_printf("\"%s\":%s", keys[l], pairs);
        if (strstr(out, want) == NULL)
          g_error("round %u, %s, %s: the output lacks %s", round, units[u], keys[l], want);
        g_free(want);
        g_free(pairs);
      }
      g_free(out);
      g_free(options);
    }
    for (guint l = 0; l < 3; l++) {
      g_array_unref(starts[l]);
      g_array_unref(ends[l]);
    }
    copydesk_document_free(doc);
    g_string_free(text, TRUE);
  }
  g_rand_free(rand);
}


static void test_offsets_after_edit(void) {
  CopydeskDocument *doc = make_edited();
  const char *opts = "{include: [clean_text, sentences, mentions]";
  char *cp = g_strconcat(opts, "}", NULL);
  char *bytes = g_strconcat(opts, ", offsets: bytes}", NULL);
  char *utf16 = g_strconcat(opts, ", offsets: utf16}", NULL);
  assert_format(
      "jsonl", cp, doc,
      "{\"id\":\"t2\",\"text\":\"Caf\xc3\xa9 \xf0\x9f\x98\x80 said Ana.\","
      "\"clean_text\":\"Cafe said Ana.\",\"sentences\":[[0,16]],\"mentions\":["
      "{\"start\":0,\"end\":4,\"text\":\"Caf\xc3\xa9\",\"label\":\"ORG\",\"entity\":null},"
      "{\"start\":7,\"end\":11,\"text\":\"said\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":12,\"end\":15,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n");
  assert_format(
      "jsonl", bytes, doc,
      "{\"id\":\"t2\",\"text\":\"Caf\xc3\xa9 \xf0\x9f\x98\x80 said Ana.\","
      "\"clean_text\":\"Cafe said Ana.\",\"sentences\":[[0,20]],\"mentions\":["
      "{\"start\":0,\"end\":5,\"text\":\"Caf\xc3\xa9\",\"label\":\"ORG\",\"entity\":null},"
      "{\"start\":11,\"end\":15,\"text\":\"said\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":16,\"end\":19,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n");
  assert_format(
      "jsonl", utf16, doc,
      "{\"id\":\"t2\",\"text\":\"Caf\xc3\xa9 \xf0\x9f\x98\x80 said Ana.\","
      "\"clean_text\":\"Cafe said Ana.\",\"sentences\":[[0,17]],\"mentions\":["
      "{\"start\":0,\"end\":4,\"text\":\"Caf\xc3\xa9\",\"label\":\"ORG\",\"entity\":null},"
      "{\"start\":8,\"end\":12,\"text\":\"said\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":13,\"end\":16,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n");
  g_free(cp);
  g_free(bytes);
  g_free(utf16);
  copydesk_document_free(doc);
}

/* U+2028 must be escaped (JavaScript reads it as a line end) and invalid bytes of the
 * original come out as \ufffd, so the line stays one valid JSON value. */
static void test_line_separator_and_invalid_utf8(void) {
  /* original: a, U+2028 (3 bytes), b, 0xFF, c — the current text has U+FFFD for 0xFF. */
  static const char original[] =
      "a\xe2\x80\xa8"
      "b\xff"
      "c";
  CopydeskDocument *doc = copydesk_document_new("t11", original, -1);
  g_assert_cmpuint(copydesk_document_n_invalid_sequences(doc), ==, 1);
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "b\xef\xbf\xbd", 0, "MISC");
  assert_format(
      "jsonl", "{include: [clean_text, mentions]}", doc,
      "{\"id\":\"t11\",\"text\":\"a\\u2028b\\ufffdc\","
      "\"clean_text\":\"a\\u2028b\xef\xbf\xbd"
      "c\",\"mentions\":["
      "{\"start\":2,\"end\":4,\"text\":\"b\\ufffd\",\"label\":\"MISC\",\"entity\":null}]}\n");
  assert_format(
      "jsonl", "{include: [mentions], offsets: bytes}", doc,
      "{\"id\":\"t11\",\"text\":\"a\\u2028b\\ufffdc\",\"mentions\":["
      "{\"start\":4,\"end\":6,\"text\":\"b\\ufffd\",\"label\":\"MISC\",\"entity\":null}]}\n");
  copydesk_document_free(doc);
}

/* Quotes, backslashes and control characters in the text are escaped. */
static void test_escaping(void) {
  CopydeskDocument *doc = copydesk_document_new("a\"b", "He said \"no\\\"\tthen\nleft.", -1);
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "\"no\\\"", 0, "MISC");
  assert_format("jsonl", "{include: [mentions]}", doc,
                "{\"id\":\"a\\\"b\",\"text\":\"He said \\\"no\\\\\\\"\\tthen\\nleft.\","
                "\"mentions\":[{\"start\":8,\"end\":13,\"text\":\"\\\"no\\\\\\\"\","
                "\"label\":\"MISC\",\"entity\":null}]}\n");
  copydesk_document_free(doc);
}

/* Offsets of every number of digits, at the edges where one more digit starts. */
static void test_offsets_digits(void) {
  static const gsize edges[] = {0,    9,     10,    99,     100,    999,     1000,   9999,
                                10000, 99999, 100000, 999999, 1000000, 1234567};
  GString *text = g_string_new(NULL);
  while (text->len < edges[G_N_ELEMENTS(edges) - 1])
    g_string_append_c(text, 'a');
  CopydeskDocument *doc = copydesk_document_new("digits", text->str, (gssize)text->len);
  GString *expected = g_string_new("{\"id\":\"digits\",\"sentences\":[");
  for (guint i = 0; i + 1 < G_N_ELEMENTS(edges); i++) {
    copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, edges[i], edges[i + 1], "sentence");
    g_string_append_printf(expected, "%s[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]", i ? "," : "",
                           edges[i], edges[i + 1]);
  }
  g_string_append(expected, "]}\n");
  assert_format("jsonl", "{include: [sentences], include_text: false}", doc, expected->str);
  copydesk_document_free(doc);
  g_string_free(expected, TRUE);
  g_string_free(text, TRUE);
}

/* ---- Fields, id, include ---------------------------------------------------- */

static void test_passthrough_fields(void) {
  CopydeskDocument *doc = copydesk_document_new("t3", "Hi.", -1);
  copydesk_document_set_field(doc, "source", "\"AP\"");
  copydesk_document_set_field(doc, "score", "1.50e+3");
  copydesk_document_set_field(doc, "meta", "{\"a\": [1, 2], \"b\": \"\\u00e9\"}");
  copydesk_document_set_field_string(doc, "caf\xc3\xa9", "x\"y");
  assert_format("jsonl", "{include: []}", doc,
                "{\"id\":\"t3\",\"source\":\"AP\",\"score\":1.50e+3,"
                "\"meta\":{\"a\": [1, 2], \"b\": \"\\u00e9\"},\"caf\xc3\xa9\":\"x\\\"y\","
                "\"text\":\"Hi.\"}\n");
  copydesk_document_free(doc);
}

/* A raw U+2028 or U+2029 in an input field's JSON is written escaped; other characters that
 * share its first byte (curly quotes) and one cut short at the end are written as read. */
static void test_passthrough_line_separators(void) {
  CopydeskDocument *doc = copydesk_document_new("t3b", "Hi.", -1);
  copydesk_document_set_field(doc, "q",
                              "\"\xe2\x80\x9c" "A\xe2\x80\xa8" "B\xe2\x80\x9d\xe2\x80\xa9\xe2\x80\xa8\"");
  copydesk_document_set_field(doc, "e", "\"\xe2\x80\"");
  assert_format("jsonl", "{include: []}", doc,
                "{\"id\":\"t3b\",\"q\":\"\xe2\x80\x9c" "A\\u2028B\xe2\x80\x9d\\u2029\\u2028\","
                "\"e\":\"\xe2\x80\",\"text\":\"Hi.\"}\n");
  copydesk_document_free(doc);
}

/* An input "id" is kept where the input had it, with its JSON type, and not repeated. */
static void test_id_from_input(void) {
  CopydeskDocument *doc = copydesk_document_new("t4", "Hi.", -1);
  copydesk_document_set_field(doc, "n", "1");
  copydesk_document_set_field(doc, "id", "42");
  assert_format("jsonl", "{include: []}", doc, "{\"n\":1,\"id\":42,\"text\":\"Hi.\"}\n");
  copydesk_document_free(doc);
}

/* An input field called "text" holds the article already: no second "text". */
static void test_input_text_field(void) {
  CopydeskDocument *doc = copydesk_document_new("t", "Hi.", -1);
  copydesk_document_set_field(doc, "text", "\"Hi.\"");
  assert_format("jsonl", "{include: [text]}", doc, "{\"id\":\"t\",\"text\":\"Hi.\"}\n");
  copydesk_document_free(doc);
}

static CopydeskDocument *make_tokens(void) {
  CopydeskDocument *doc = copydesk_document_new("t5", "Hi there.", -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 9, "sentence");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 3, 8, "word");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 0, 2, "word");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 8, 9, "punct");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 0, 9, "word"); /* same start: the longer comes first */
  copydesk_document_ensure_layer(doc, COPYDESK_LAYER_PARAGRAPH); /* present but empty */
  return doc;
}

static void test_include_default(void) {
  CopydeskDocument *doc = make_tokens();
  /* Tokens only when asked for; no entity or quote layer: no mentions, entities, quotes. */
  assert_format("jsonl", "{}", doc,
                "{\"id\":\"t5\",\"text\":\"Hi there.\",\"sentences\":[[0,9]]}\n");
  /* An empty entity layer gives empty arrays. */
  copydesk_document_ensure_layer(doc, COPYDESK_LAYER_ENTITY);
  assert_format("jsonl", "{}", doc,
                "{\"id\":\"t5\",\"text\":\"Hi there.\",\"sentences\":[[0,9]],\"mentions\":[],"
                "\"entities\":[]}\n");
  copydesk_document_free(doc);
}

static void test_include_explicit(void) {
  CopydeskDocument *doc = make_tokens();
  assert_format("jsonl", "{include: [tokens, paragraphs], include_text: false}", doc,
                "{\"id\":\"t5\",\"paragraphs\":[],\"tokens\":[[0,9],[0,2],[3,8],[8,9]]}\n");
  assert_format("jsonl", "{include: [], include_text: false}", doc, "{\"id\":\"t5\"}\n");
  /* `text` in include turns include_text on. */
  assert_format("jsonl", "{include: [text], include_text: false}", doc,
                "{\"id\":\"t5\",\"text\":\"Hi there.\"}\n");
  assert_format("jsonl", "{include: [mentions, quotes, clean_text]}", doc,
                "{\"id\":\"t5\",\"text\":\"Hi there.\",\"clean_text\":\"Hi there.\"}\n");
  copydesk_document_free(doc);
}

/* ---- nest, collisions, errors ---------------------------------------------- */

static void test_nest(void) {
  CopydeskDocument *doc = copydesk_document_new("t6", "Hi.", -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 3, "sentence");
  copydesk_document_set_field(doc, "sentences", "\"mine\"");
  copydesk_document_set_field(doc, "errors", "[]");
  copydesk_document_add_error(doc, "clean", "oops");
  assert_format("jsonl", "{nest: copydesk, include: [sentences, clean_text]}", doc,
                "{\"id\":\"t6\",\"sentences\":\"mine\",\"errors\":[],\"copydesk\":{"
                "\"text\":\"Hi.\",\"clean_text\":\"Hi.\",\"sentences\":[[0,3]],"
                "\"errors\":[{\"stage\":\"clean\",\"message\":\"oops\"}]}}\n");
  copydesk_document_free(doc);
}

static void test_collision(void) {
  CopydeskDocument *doc = copydesk_document_new("t7", "Hi.", -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 3, "sentence");
  copydesk_document_set_field(doc, "sentences", "\"mine\"");
  copydesk_document_add_error(doc, "entities", "model missing");
  assert_format(
      "jsonl", "{include: [sentences, clean_text], include_text: false}", doc,
      "{\"id\":\"t7\",\"sentences\":\"mine\",\"clean_text\":\"Hi.\",\"errors\":["
      "{\"stage\":\"entities\",\"message\":\"model missing\"},"
      "{\"stage\":\"jsonl\",\"message\":\"the input has a field \\\"sentences\\\", a key copydesk "
      "writes; the input's value was kept and copydesk's left out (set the output option nest, "
      "e.g. nest: copydesk, to keep both)\"}]}\n");
  /* No collision when copydesk would not write the key. */
  assert_format("jsonl", "{include: [clean_text], include_text: false}", doc,
                "{\"id\":\"t7\",\"sentences\":\"mine\",\"clean_text\":\"Hi.\",\"errors\":["
                "{\"stage\":\"entities\",\"message\":\"model missing\"}]}\n");
  copydesk_document_free(doc);
}

/* An input "errors" field is kept; copydesk's errors then go under "copydesk_errors". */
static void test_collision_errors_key(void) {
  CopydeskDocument *doc = copydesk_document_new("t", "Hi.", -1);
  copydesk_document_set_field(doc, "errors", "0");
  assert_format("jsonl", "{include: [], include_text: false}", doc,
                "{\"id\":\"t\",\"errors\":0}\n");
  copydesk_document_add_error(doc, "quotes", "bad");
  assert_format(
      "jsonl", "{include: [], include_text: false}", doc,
      "{\"id\":\"t\",\"errors\":0,\"copydesk_errors\":["
      "{\"stage\":\"quotes\",\"message\":\"bad\"},"
      "{\"stage\":\"jsonl\",\"message\":\"the input has a field \\\"errors\\\", a key copydesk "
      "writes; the input's value was kept and copydesk's left out (set the output option nest, "
      "e.g. nest: copydesk, to keep both)\"}]}\n");
  copydesk_document_free(doc);
}

/* An input field with the nest key's name keeps its value; copydesk says so in "errors". */
static void test_collision_nest_key(void) {
  CopydeskDocument *doc = copydesk_document_new("t", "Hi.", -1);
  copydesk_document_set_field(doc, "copydesk", "{}");
  assert_format("jsonl", "{nest: copydesk}", doc,
                "{\"id\":\"t\",\"copydesk\":{},\"errors\":["
                "{\"stage\":\"jsonl\",\"message\":\"the input has a field \\\"copydesk\\\", the "
                "name the output option nest gives copydesk's keys; they were left out (set nest "
                "to a name the input does not use)\"}]}\n");
  copydesk_document_free(doc);
}

static void test_errors(void) {
  CopydeskDocument *doc = copydesk_document_new("t8", "Hi.", -1);
  copydesk_document_add_error(doc, "entities", "model \"en\" missing");
  copydesk_document_add_error(doc, "quotes", "line1\nline2");
  assert_format("jsonl", "{include: []}", doc,
                "{\"id\":\"t8\",\"text\":\"Hi.\",\"errors\":["
                "{\"stage\":\"entities\",\"message\":\"model \\\"en\\\" missing\"},"
                "{\"stage\":\"quotes\",\"message\":\"line1\\nline2\"}]}\n");
  copydesk_document_free(doc);
}

static void test_bad_options(void) {
  static const char *const bad[] = {
      "{offsets: words}", "{include: [everything]}", "{nest: \"\"}",
      "{nest: id}",       "{pretty: true}", /* jsonl has no pretty */
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    char *yaml = g_strdup_printf("pipeline: []\noutput:\n  plugin: jsonl\n  options: %s\n", bad[i]);
    GError *error = NULL;
    CopydeskHarness *h = copydesk_harness_try_new(yaml, &error);
    g_assert_null(h);
    g_assert_nonnull(error);
    g_test_message("%s -> %s", bad[i], error->message);
    g_error_free(error);
    g_free(yaml);
  }
}

/* ---- Entities and quotes ---------------------------------------------------- */

static void test_entities(void) {
  CopydeskDocument *doc = copydesk_document_new(
      "t10", "Obama met Merkel in Berlin. Angela Merkel thanked Barack Obama. Merkel left.", -1);
  /* Out of order on purpose; ids whose order differs from the order of first mention. */
  CopydeskSpan *s;
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Merkel", 2, "PERSON");
  copydesk_span_set_string(s, "entity", "E3");
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Barack Obama", 0, "PERSON");
  copydesk_span_set_string(s, "entity", "E7");
  copydesk_span_set_string(s, "name", "Barack H. Obama");
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Angela Merkel", 0, "PERSON");
  copydesk_span_set_string(s, "entity", "E3");
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Merkel", 0, "PERSON");
  copydesk_span_set_string(s, "entity", "E3");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Berlin", 0, "LOC"); /* no entity id */
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Obama", 0, "PERSON");
  copydesk_span_set_string(s, "entity", "E7");
  assert_format(
      "jsonl", "{include: [mentions, entities], include_text: false}", doc,
      "{\"id\":\"t10\",\"mentions\":["
      "{\"start\":0,\"end\":5,\"text\":\"Obama\",\"label\":\"PERSON\",\"entity\":\"E7\"},"
      "{\"start\":10,\"end\":16,\"text\":\"Merkel\",\"label\":\"PERSON\",\"entity\":\"E3\"},"
      "{\"start\":20,\"end\":26,\"text\":\"Berlin\",\"label\":\"LOC\",\"entity\":null},"
      "{\"start\":28,\"end\":41,\"text\":\"Angela Merkel\",\"label\":\"PERSON\",\"entity\":\"E3\"},"
      "{\"start\":50,\"end\":62,\"text\":\"Barack Obama\",\"label\":\"PERSON\",\"entity\":\"E7\"},"
      "{\"start\":64,\"end\":70,\"text\":\"Merkel\",\"label\":\"PERSON\",\"entity\":\"E3\"}],"
      "\"entities\":["
      "{\"id\":\"E7\",\"label\":\"PERSON\",\"name\":\"Barack H. Obama\",\"mentions\":2},"
      "{\"id\":\"E3\",\"label\":\"PERSON\",\"name\":\"Angela Merkel\",\"mentions\":3}]}\n");
  copydesk_document_free(doc);
}

static const char rubio[] =
    "Marco Rubio spoke. \"We will win,\" Rubio told reporters. \"Soon,\" he said. \"Never.\"";

static CopydeskDocument *make_quotes(void) {
  CopydeskDocument *doc = copydesk_document_new("t9", rubio, -1);
  CopydeskSpan *rubio_mention = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Rubio", 1, "PERSON");
  copydesk_span_set_string(rubio_mention, "entity", "E1");
  CopydeskSpan *full = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Marco Rubio", 0, "PERSON");
  copydesk_span_set_string(full, "entity", "E1");
  CopydeskSpan *he = copydesk_harness_add_at(doc, "speaker", "he", 0, "pronoun");
  CopydeskSpan *told = copydesk_harness_add_at(doc, "cue", "told", 0, "tell");
  CopydeskSpan *said = copydesk_harness_add_at(doc, "cue", "said", 0, "say");

  /* Out of order on purpose. */
  copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Never.", 0, "direct");
  CopydeskSpan *q2 = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Soon", 0, "direct");
  copydesk_span_set_link(q2, "speaker", he);
  copydesk_span_set_string(q2, "speaker_entity", "E1");
  copydesk_span_set_link(q2, "cue", said);
  copydesk_span_set_double(q2, "confidence", 0.75);
  CopydeskSpan *q1 = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "We will win", 0, "direct");
  copydesk_span_set_link(q1, "speaker", rubio_mention);
  copydesk_span_set_link(q1, "cue", told);
  copydesk_span_set_double(q1, "confidence", 0.9);
  copydesk_span_set_string(q1, "reason", "named speaker with cue");
  return doc;
}

static void test_quotes(void) {
  CopydeskDocument *doc = make_quotes();
  /* Quotes alone: the speaker's name still comes from the entity (its fullest mention). */
  assert_format("jsonl", "{include: [quotes], include_text: false}", doc,
                "{\"id\":\"t9\",\"quotes\":["
                "{\"start\":20,\"end\":31,\"text\":\"We will win\",\"kind\":\"direct\","
                "\"speaker\":{\"name\":\"Marco Rubio\",\"entity\":\"E1\",\"start\":34,\"end\":39,"
                "\"text\":\"Rubio\"},\"cue\":{\"text\":\"told\",\"start\":40,\"end\":44},"
                "\"confidence\":0.9,\"reason\":\"named speaker with cue\"},"
                "{\"start\":57,\"end\":61,\"text\":\"Soon\",\"kind\":\"direct\","
                "\"speaker\":{\"name\":\"Marco Rubio\",\"entity\":\"E1\",\"start\":64,\"end\":66,"
                "\"text\":\"he\"},\"cue\":{\"text\":\"said\",\"start\":67,\"end\":71},"
                "\"confidence\":0.75},"
                "{\"start\":74,\"end\":80,\"text\":\"Never.\",\"kind\":\"direct\",\"speaker\":null,"
                "\"cue\":null}]}\n");
  copydesk_document_free(doc);
}

/* speaker_name on the quote wins; a named speaker without a span has null positions. */
static void test_quote_speaker_name(void) {
  CopydeskDocument *doc = copydesk_document_new("q", "\"Yes.\" The ministry agreed.", -1);
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Yes.", 0, "direct");
  copydesk_span_set_string(q, "speaker_name", "Ministry of Finance");
  CopydeskSpan *q2 = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "The ministry", 0, "indirect");
  copydesk_span_set_link(q2, "speaker", copydesk_harness_add_at(doc, "speaker", "ministry", 0, "nominal"));
  assert_format("jsonl", "{include: [quotes], include_text: false}", doc,
                "{\"id\":\"q\",\"quotes\":["
                "{\"start\":1,\"end\":5,\"text\":\"Yes.\",\"kind\":\"direct\",\"speaker\":{"
                "\"name\":\"Ministry of Finance\",\"entity\":null,\"start\":null,\"end\":null,"
                "\"text\":null},\"cue\":null},"
                "{\"start\":7,\"end\":19,\"text\":\"The ministry\",\"kind\":\"indirect\","
                "\"speaker\":{\"name\":null,\"entity\":null,\"start\":11,\"end\":19,"
                "\"text\":\"ministry\"},\"cue\":null}]}\n");
  copydesk_document_free(doc);
}

/* Speaker and cue before the quote, with characters outside the BMP around: every offset
 * is right in every unit (the writer asks for them out of span order). */
static void test_quote_offsets_units(void) {
  CopydeskDocument *doc =
      copydesk_document_new("u", "Ana \xf0\x9f\x98\x80 said: \"Go \xf0\x9f\x98\x80 now.\"", -1);
  CopydeskSpan *ana = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Ana", 0, "PERSON");
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Go \xf0\x9f\x98\x80 now.", 0, "direct");
  copydesk_span_set_link(q, "speaker", ana);
  copydesk_span_set_link(q, "cue", copydesk_harness_add_at(doc, "cue", "said", 0, "say"));
  assert_format("jsonl", "{include: [quotes], include_text: false, offsets: utf16}", doc,
                "{\"id\":\"u\",\"quotes\":[{\"start\":14,\"end\":24,"
                "\"text\":\"Go \xf0\x9f\x98\x80 now.\",\"kind\":\"direct\","
                "\"speaker\":{\"name\":\"Ana\",\"entity\":null,\"start\":0,\"end\":3,"
                "\"text\":\"Ana\"},\"cue\":{\"text\":\"said\",\"start\":7,\"end\":11}}]}\n");
  assert_format("jsonl", "{include: [quotes], include_text: false}", doc,
                "{\"id\":\"u\",\"quotes\":[{\"start\":13,\"end\":22,"
                "\"text\":\"Go \xf0\x9f\x98\x80 now.\",\"kind\":\"direct\","
                "\"speaker\":{\"name\":\"Ana\",\"entity\":null,\"start\":0,\"end\":3,"
                "\"text\":\"Ana\"},\"cue\":{\"text\":\"said\",\"start\":6,\"end\":10}}]}\n");
  assert_format("jsonl", "{include: [quotes], include_text: false, offsets: bytes}", doc,
                "{\"id\":\"u\",\"quotes\":[{\"start\":16,\"end\":28,"
                "\"text\":\"Go \xf0\x9f\x98\x80 now.\",\"kind\":\"direct\","
                "\"speaker\":{\"name\":\"Ana\",\"entity\":null,\"start\":0,\"end\":3,"
                "\"text\":\"Ana\"},\"cue\":{\"text\":\"said\",\"start\":9,\"end\":13}}]}\n");
  copydesk_document_free(doc);
}

/* ---- json: pretty printing and array framing -------------------------------- */

static const char pretty_record[] =
    "  {\n"
    "    \"id\": \"t9\",\n"
    "    \"sentences\": [\n"
    "      [0, 18]\n"
    "    ],\n"
    "    \"mentions\": [\n"
    "      {\n"
    "        \"start\": 0,\n"
    "        \"end\": 11,\n"
    "        \"text\": \"Marco Rubio\",\n"
    "        \"label\": \"PERSON\",\n"
    "        \"entity\": \"E1\"\n"
    "      },\n"
    "      {\n"
    "        \"start\": 34,\n"
    "        \"end\": 39,\n"
    "        \"text\": \"Rubio\",\n"
    "        \"label\": \"PERSON\",\n"
    "        \"entity\": \"E1\"\n"
    "      }\n"
    "    ],\n"
    "    \"entities\": [\n"
    "      {\n"
    "        \"id\": \"E1\",\n"
    "        \"label\": \"PERSON\",\n"
    "        \"name\": \"Marco Rubio\",\n"
    "        \"mentions\": 2\n"
    "      }\n"
    "    ],\n"
    "    \"quotes\": [\n"
    "      {\n"
    "        \"start\": 74,\n"
    "        \"end\": 80,\n"
    "        \"text\": \"Never.\",\n"
    "        \"kind\": \"direct\",\n"
    "        \"speaker\": null,\n"
    "        \"cue\": null\n"
    "      }\n"
    "    ],\n"
    "    \"errors\": [\n"
    "      {\n"
    "        \"stage\": \"x\",\n"
    "        \"message\": \"y\"\n"
    "      }\n"
    "    ]\n"
    "  }";

static CopydeskDocument *make_pretty_doc(void) {
  CopydeskDocument *doc = copydesk_document_new("t9", rubio, -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 18, "sentence");
  CopydeskSpan *s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Marco Rubio", 0, "PERSON");
  copydesk_span_set_string(s, "entity", "E1");
  s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, "Rubio", 1, "PERSON");
  copydesk_span_set_string(s, "entity", "E1");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Never.", 0, "direct");
  copydesk_document_add_error(doc, "x", "y");
  return doc;
}

static void test_json_pretty(void) {
  CopydeskDocument *doc = make_pretty_doc();
  char *expected = g_strconcat("[\n", pretty_record, "\n]\n", NULL);
  assert_format("json", "{include_text: false}", doc, expected);
  g_free(expected);
  copydesk_document_free(doc);
}

static void test_json_pretty_nest(void) {
  CopydeskDocument *doc = copydesk_document_new("n", "Hi.", -1);
  copydesk_document_set_field(doc, "k", "[1,2]");
  copydesk_document_ensure_layer(doc, COPYDESK_LAYER_ENTITY);
  assert_format("json", "{nest: copydesk, include: [mentions, sentences]}", doc,
                "[\n"
                "  {\n"
                "    \"id\": \"n\",\n"
                "    \"k\": [1,2],\n"
                "    \"copydesk\": {\n"
                "      \"text\": \"Hi.\",\n"
                "      \"mentions\": []\n"
                "    }\n"
                "  }\n"
                "]\n");
  assert_format("json", "{nest: copydesk, include: [], include_text: false}", doc,
                "[\n"
                "  {\n"
                "    \"id\": \"n\",\n"
                "    \"k\": [1,2],\n"
                "    \"copydesk\": {}\n"
                "  }\n"
                "]\n");
  copydesk_document_free(doc);
}

static void test_json_compact(void) {
  CopydeskDocument *doc = make_cafe();
  assert_format(
      "json", "{pretty: false, include: [sentences, mentions], include_text: false}", doc,
      "[\n{\"id\":\"t1\",\"sentences\":[[0,16]],\"mentions\":["
      "{\"start\":5,\"end\":6,\"text\":\"\xf0\x9f\x98\x80\",\"label\":\"MISC\",\"entity\":null},"
      "{\"start\":12,\"end\":15,\"text\":\"Ana\",\"label\":\"PERSON\",\"entity\":null}]}\n]\n");
  copydesk_document_free(doc);
}

/* The descriptor of PLUGIN, from the module the loader would find in the build tree. */
static const CopydeskPluginDescriptor *open_descriptor(const char *plugin) {
  const char *dir = g_getenv("COPYDESK_PLUGIN_PATH");
  g_assert_nonnull(dir);
  char *file = g_strconcat(plugin, ".so", NULL);
  char *path = g_build_filename(dir, plugin, file, NULL);
  void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL); /* kept open, as the loader does */
  if (module == NULL) g_error("%s: %s", path, dlerror());
  CopydeskDescribeFunc describe = (CopydeskDescribeFunc)dlsym(module, COPYDESK_PLUGIN_ENTRY);
  g_assert_nonnull(describe);
  g_free(file);
  g_free(path);
  return describe();
}

static void test_descriptors(void) {
  const CopydeskPluginDescriptor *json = open_descriptor("json");
  g_assert_cmpstr(json->name, ==, "json");
  g_assert_cmpint(json->kind, ==, COPYDESK_KIND_OUTPUT);
  g_assert_cmpuint(json->flags & COPYDESK_PLUGIN_REENTRANT, !=, 0);
  g_assert_cmpuint(json->abi_major, ==, COPYDESK_ABI_MAJOR);
  g_assert_cmpuint(json->struct_size, ==, sizeof(CopydeskPluginDescriptor));
  g_assert_nonnull(json->header);
  g_assert_nonnull(json->footer);
  g_assert_cmpstr(json->separator, ==, ",\n");

  const CopydeskPluginDescriptor *jsonl = open_descriptor("jsonl");
  g_assert_cmpstr(jsonl->name, ==, "jsonl");
  g_assert_cmpint(jsonl->kind, ==, COPYDESK_KIND_OUTPUT);
  g_assert_cmpuint(jsonl->flags & COPYDESK_PLUGIN_REENTRANT, !=, 0);
  g_assert_null(jsonl->header);
  g_assert_null(jsonl->footer);
  g_assert_null(jsonl->separator);
  for (const CopydeskOptionSpec *o = jsonl->options; o->name != NULL; o++)
    g_assert_cmpstr(o->name, !=, "pretty");
}

/* Frames the records of N documents as the core writes a stream: header, records joined by
 * the separator, footer.  Each record is the harness output less the header and footer. */
static char *frame_stream(const char *options, CopydeskDocument **docs, guint n) {
  const CopydeskPluginDescriptor *d = open_descriptor("json");
  GString *header = g_string_new(NULL), *footer = g_string_new(NULL);
  g_assert_true(d->header(NULL, header, NULL));
  g_assert_true(d->footer(NULL, footer, NULL));
  GString *stream = g_string_new(header->str);
  for (guint i = 0; i < n; i++) {
    char *one = format_doc("json", options, docs[i]);
    g_assert_true(g_str_has_prefix(one, header->str));
    g_assert_true(g_str_has_suffix(one, footer->str));
    if (i > 0) g_string_append(stream, d->separator);
    g_string_append_len(stream, one + header->len, strlen(one) - header->len - footer->len);
    g_free(one);
  }
  g_string_append(stream, footer->str);
  g_string_free(header, TRUE);
  g_string_free(footer, TRUE);
  return g_string_free(stream, FALSE);
}

static void test_json_array_framing(void) {
  CopydeskDocument *docs[2] = {copydesk_document_new("a", "A.", -1),
                               copydesk_document_new("b", "B.", -1)};
  char *s = frame_stream("{}", docs, 0);
  g_assert_cmpstr(s, ==, "[\n\n]\n"); /* still a valid (empty) JSON array */
  g_free(s);
  s = frame_stream("{}", docs, 1);
  g_assert_cmpstr(s, ==, "[\n  {\n    \"id\": \"a\",\n    \"text\": \"A.\"\n  }\n]\n");
  g_free(s);
  s = frame_stream("{}", docs, 2);
  g_assert_cmpstr(s, ==,
                  "[\n  {\n    \"id\": \"a\",\n    \"text\": \"A.\"\n  },\n"
                  "  {\n    \"id\": \"b\",\n    \"text\": \"B.\"\n  }\n]\n");
  g_free(s);
  s = frame_stream("{pretty: false}", docs, 2);
  g_assert_cmpstr(s, ==, "[\n{\"id\":\"a\",\"text\":\"A.\"},\n{\"id\":\"b\",\"text\":\"B.\"}\n]\n");
  g_free(s);
  copydesk_document_free(docs[0]);
  copydesk_document_free(docs[1]);
}

/* jsonl: exactly one line per document, whatever the text holds. */
static void test_jsonl_one_line(void) {
  CopydeskDocument *doc = copydesk_document_new("l", "line\none\r\ntwo\xe2\x80\xa9three", -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 4, "sentence");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_PARAGRAPH, 0, 8, "paragraph");
  copydesk_document_add_error(doc, "x", "a\nb");
  char *out = format_doc("jsonl", "{include: [clean_text, sentences, paragraphs]}", doc);
  char *nl = strchr(out, '\n');
  g_assert_nonnull(nl);
  g_assert_cmpstr(nl, ==, "\n");
  g_assert_null(strstr(out, "\xe2\x80\xa9"));
  g_free(out);
  copydesk_document_free(doc);
}

/* ---- Many spans: sorted, grouped, and no quadratic work --------------------- */

static void test_many_spans(void) {
  GString *text = g_string_new(NULL);
  const guint n = 20000;
  for (guint i = 0; i < n; i++) g_string_append(text, "Ab \xc3\xa9. ");
  CopydeskDocument *doc = copydesk_document_new("big", text->str, (gssize)text->len);
  /* Reverse order, each mention its own entity every 2. */
  for (guint i = n; i-- > 0;) {
    gsize at = (gsize)i * 7;
    CopydeskSpan *s = copydesk_harness_add_span(doc, COPYDESK_LAYER_ENTITY, at, at + 2, "PERSON");
    char id[16];
    g_snprintf(id, sizeof id, "E%u", i / 2);
    copydesk_span_set_string(s, "entity", id);
    copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, at, at + 6, "sentence");
  }
  gint64 t0 = g_get_monotonic_time();
  char *out =
      format_doc("jsonl", "{include: [sentences, mentions, entities], include_text: false}", doc);
  gint64 t1 = g_get_monotonic_time();
  g_test_message("formatted %u mentions in %.1f ms (%zu bytes)", n, (t1 - t0) / 1000.0,
                 strlen(out));
  /* Sorted: the first sentence is [0,5] in code points, the last starts at 6 * (n - 1). */
  g_assert_true(g_str_has_prefix(out, "{\"id\":\"big\",\"sentences\":[[0,5],[6,11],"));
  char *last = g_strdup_printf("[%u,%u]],\"mentions\"", 6 * (n - 1), 6 * (n - 1) + 5);
  g_assert_nonnull(strstr(out, last));
  g_assert_true(g_str_has_suffix(
      out, "{\"id\":\"E9999\",\"label\":\"PERSON\",\"name\":\"Ab\",\"mentions\":2}]}\n"));
  g_assert_true(strstr(out,
                       "{\"id\":\"E0\",\"label\":\"PERSON\",\"name\":\"Ab\",\"mentions\":2},"
                       "{\"id\":\"E1\",") != NULL);
  g_free(last);
  g_free(out);
  g_string_free(text, TRUE);
  copydesk_document_free(doc);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json/offsets/digits", test_offsets_digits);
  g_test_add_func("/json/fields/line-separators", test_passthrough_line_separators);
  g_test_add_func("/json/offsets/codepoints", test_offsets_codepoints);
  g_test_add_func("/json/offsets/bytes", test_offsets_bytes);
  g_test_add_func("/json/offsets/utf16", test_offsets_utf16);
  g_test_add_func("/json/offsets/after-edit", test_offsets_after_edit);
  g_test_add_func("/json/offsets/forwards-and-back", test_offsets_forwards_and_back);
  g_test_add_func("/json/escape/line-separator-invalid-utf8", test_line_separator_and_invalid_utf8);
  g_test_add_func("/json/escape/quotes-controls", test_escaping);
  g_test_add_func("/json/fields/passthrough", test_passthrough_fields);
  g_test_add_func("/json/fields/id-from-input", test_id_from_input);
  g_test_add_func("/json/fields/input-text", test_input_text_field);
  g_test_add_func("/json/include/default", test_include_default);
  g_test_add_func("/json/include/explicit", test_include_explicit);
  g_test_add_func("/json/nest", test_nest);
  g_test_add_func("/json/collision/layer-key", test_collision);
  g_test_add_func("/json/collision/errors-key", test_collision_errors_key);
  g_test_add_func("/json/collision/nest-key", test_collision_nest_key);
  g_test_add_func("/json/errors", test_errors);
  g_test_add_func("/json/options/bad", test_bad_options);
  g_test_add_func("/json/entities/grouping", test_entities);
  g_test_add_func("/json/quotes/speaker-cue", test_quotes);
  g_test_add_func("/json/quotes/speaker-name", test_quote_speaker_name);
  g_test_add_func("/json/quotes/offsets-units", test_quote_offsets_units);
  g_test_add_func("/json/json/pretty", test_json_pretty);
  g_test_add_func("/json/json/pretty-nest", test_json_pretty_nest);
  g_test_add_func("/json/json/compact", test_json_compact);
  g_test_add_func("/json/json/descriptors", test_descriptors);
  g_test_add_func("/json/json/array-framing", test_json_array_framing);
  g_test_add_func("/json/jsonl/one-line", test_jsonl_one_line);
  g_test_add_func("/json/many-spans", test_many_spans);
  return g_test_run();
}
