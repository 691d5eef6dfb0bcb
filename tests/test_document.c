/* The document API: text and original, invalid UTF-8, fields, errors, layers, spans,
 * attributes, links, and offsets in code points, bytes and UTF-16 units. */
#include <string.h>

#include <copydesk/copydesk.h>

#include "document_private.h"

static void
test_text_and_original(void)
{
  CopydeskDocument *doc = copydesk_document_new("d1", "Hello\0world", 11);
  gsize len;
  g_assert_cmpstr(copydesk_document_id(doc), ==, "d1");
  const char *text = copydesk_document_text(doc, &len);
  g_assert_cmpuint(len, ==, 11);
  g_assert_cmpmem(text, len, "Hello\0world", 11); /* NUL is kept: it is valid UTF-8 */
  g_assert_cmpuint(copydesk_document_n_invalid_sequences(doc), ==, 0);
  copydesk_document_set_id(doc, "renamed");
  g_assert_cmpstr(copydesk_document_id(doc), ==, "renamed");
  copydesk_document_free(doc);
}

/* Every invalid byte becomes one U+FFFD that maps back to that byte. */
static void
test_invalid_utf8_becomes_replacement(void)
{
  const char input[] = "a\xFF" "b\xC3(\xE2\x82";
  CopydeskDocument *doc = copydesk_document_new("bad", input, sizeof input - 1);
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  g_assert_cmpstr(text, ==, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD");
  g_assert_cmpuint(copydesk_document_n_invalid_sequences(doc), ==, 4);
  /* "b" at current byte 4 is original byte 2. */
  g_assert_cmpuint(copydesk_document_original_start(doc, 4), ==, 2);
  /* The first U+FFFD covers original byte 1 only. */
  g_assert_cmpuint(copydesk_document_original_start(doc, 1), ==, 1);
  g_assert_cmpuint(copydesk_document_original_end(doc, 4), ==, 2);
  gsize orig_len;
  copydesk_document_original(doc, &orig_len);
  g_assert_cmpuint(copydesk_document_original_end(doc, len), ==, orig_len);
  copydesk_document_free(doc);
}

static void
test_offset_units(void)
{
  /* é is 2 bytes / 1 code point / 1 UTF-16 unit; 😀 is 4 / 1 / 2; \xFF is 1 / 1 / 1. */
  const char input[] = "é😀\xFFx";
  CopydeskDocument *doc = copydesk_document_new("u", input, sizeof input - 1);
  const gsize bytes[] = {0, 2, 6, 7, 8};
  const gsize codepoints[] = {0, 1, 2, 3, 4};
  const gsize utf16[] = {0, 1, 3, 4, 5};
  for (guint i = 0; i < G_N_ELEMENTS(bytes); i++) {
    g_assert_cmpuint(copydesk_document_original_offset(doc, bytes[i], COPYDESK_UNIT_BYTES), ==,
                     bytes[i]);
    g_assert_cmpuint(copydesk_document_original_offset(doc, bytes[i], COPYDESK_UNIT_CODEPOINTS),
                     ==, codepoints[i]);
    g_assert_cmpuint(copydesk_document_original_offset(doc, bytes[i], COPYDESK_UNIT_UTF16), ==,
                     utf16[i]);
  }
  /* Backwards after forwards gives the same answers. */
  for (gint i = G_N_ELEMENTS(bytes) - 1; i >= 0; i--)
    g_assert_cmpuint(copydesk_document_original_offset(doc, bytes[i], COPYDESK_UNIT_UTF16), ==,
                     utf16[i]);
  copydesk_document_free(doc);
}

/* Offsets in a long text agree with g_utf8_pointer_to_offset and g_utf8_to_utf16, in any
 * order of questions. */
static void
test_offset_units_long_text(void)
{
  static const char *const pieces[] = {"ab ", "ü€ ", "𝄞 ", "a run of plain ASCII words "};
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 5000; i++)
    g_string_append(s, pieces[(i * 7 + i / 5) % 4]);
  CopydeskDocument *doc = copydesk_document_new("long", s->str, s->len);
  GRand *rand = g_rand_new_with_seed(3);
  for (int k = 0; k < 2000; k++) {
    gsize pos = g_rand_int_range(rand, 0, s->len);
    while (pos > 0 && (((guchar)s->str[pos]) & 0xC0) == 0x80)
      pos--;
    glong expected = g_utf8_pointer_to_offset(s->str, s->str + pos);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==,
                     (gsize)expected);
    glong units = 0;
    g_free(g_utf8_to_utf16(s->str, (glong)pos, NULL, &units, NULL));
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==,
                     (gsize)units);
  }
  g_rand_free(rand);
  copydesk_document_free(doc);
  g_string_free(s, TRUE);
}

static void
test_fields(void)
{
  CopydeskDocument *doc = copydesk_document_new("f", "x", -1);
  g_assert_cmpuint(copydesk_document_n_fields(doc), ==, 0);
  copydesk_document_set_field(doc, "n", "1.50e+3");
  copydesk_document_set_field_string(doc, "who", "Ana \"A\" Ruiz\n");
  copydesk_document_set_field(doc, "n", "[1,2]"); /* replaces in place */
  g_assert_cmpuint(copydesk_document_n_fields(doc), ==, 2);
  g_assert_cmpstr(copydesk_document_field_key(doc, 0), ==, "n");
  g_assert_cmpstr(copydesk_document_field_json(doc, 0), ==, "[1,2]");
  g_assert_cmpstr(copydesk_document_get_field(doc, "who"), ==, "\"Ana \\\"A\\\" Ruiz\\n\"");
  g_assert_null(copydesk_document_get_field(doc, "missing"));
  copydesk_document_free(doc);
}

static void
test_errors(void)
{
  CopydeskDocument *doc = copydesk_document_new("e", "x", -1);
  copydesk_document_add_error(doc, "quotes", "ran out of marks");
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 1);
  g_assert_cmpstr(copydesk_document_error_stage(doc, 0), ==, "quotes");
  g_assert_cmpstr(copydesk_document_error_message(doc, 0), ==, "ran out of marks");
  copydesk_document_free(doc);
}

/* copydesk_layer_add_spans() gives the spans N calls of copydesk_layer_add() give, across
 * span blocks, with labels interned; a bad span anywhere adds none and is named. */
static void
test_add_spans_in_bulk(void)
{
  GString *text = g_string_new(NULL);
  for (int i = 0; i < 3000; i++)
    g_string_append(text, i % 2 ? "é, " : "word ");
  CopydeskDocument *doc = copydesk_document_new("bulk", text->str, text->len);
  CopydeskLayer *one = copydesk_document_ensure_layer(doc, "one");
  CopydeskLayer *bulk = copydesk_document_ensure_layer(doc, "bulk");
  GArray *init = g_array_new(FALSE, FALSE, sizeof(CopydeskSpanInit));
  char buffer[8];
  for (gsize pos = 0, i = 0; pos < text->len; i++) {
    gsize word = text->str[pos] == 'w' ? 4 : 2;
    /* labels from a static string, from NULL, and from a buffer whose content is the same
     * at every call */
    const char *label = i % 3 == 0 ? "word" : i % 3 == 1 ? NULL : strcpy(buffer, "other");
    CopydeskSpanInit s = {pos, pos + word, label};
    g_array_append_val(init, s);
    g_assert_nonnull(copydesk_layer_add(one, pos, pos + word, label, NULL));
    pos += word + (text->str[pos] == 'w' ? 1 : 2);
  }
  g_assert_true(copydesk_layer_add_spans(bulk, (CopydeskSpanInit *)(void *)init->data, 10, NULL));
  g_assert_true(copydesk_layer_add_spans(bulk, (CopydeskSpanInit *)(void *)init->data + 10,
                                         init->len - 10, NULL));
  g_assert_cmpuint(copydesk_layer_n_spans(bulk), ==, init->len);
  g_assert_cmpuint(copydesk_layer_n_spans(one), ==, init->len);
  for (gsize i = 0; i < init->len; i++) {
    CopydeskSpan *a = copydesk_layer_span(one, i), *b = copydesk_layer_span(bulk, i);
    g_assert_cmpuint(copydesk_span_start(a), ==, copydesk_span_start(b));
    g_assert_cmpuint(copydesk_span_end(a), ==, copydesk_span_end(b));
    g_assert_cmpstr(copydesk_span_label(a), ==, copydesk_span_label(b));
    g_assert_cmpuint(copydesk_span_index(b), ==, i);
    g_assert_true(copydesk_span_layer(b) == bulk);
    g_assert_cmpuint(copydesk_span_n_attrs(b), ==, 0);
  }
  /* spans from the bulk call take attributes like any other */
  copydesk_span_set_int(copydesk_layer_span(bulk, 7), "n", 7);
  g_assert_cmpint(copydesk_span_get_int(copydesk_layer_span(bulk, 7), "n", 0), ==, 7);

  CopydeskLayer *bad = copydesk_document_ensure_layer(doc, "bad");
  GError *error = NULL;
  CopydeskSpanInit cuts[] = {{0, 4, "word"}, {6, 7, NULL}}; /* 6 is inside é */
  g_assert_false(copydesk_layer_add_spans(bad, cuts, G_N_ELEMENTS(cuts), &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY);
  g_assert_nonnull(strstr(error->message, "[6, 7)"));
  g_assert_nonnull(strstr(error->message, "'bad'"));
  g_clear_error(&error);
  CopydeskSpanInit outside[] = {{0, 4, NULL}, {3, text->len + 1, NULL}};
  g_assert_false(copydesk_layer_add_spans(bad, outside, G_N_ELEMENTS(outside), &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE);
  g_clear_error(&error);
  g_assert_cmpuint(copydesk_layer_n_spans(bad), ==, 0);
  g_assert_true(copydesk_layer_add_spans(bad, NULL, 0, NULL));

  g_array_free(init, TRUE);
  copydesk_document_free(doc);
  g_string_free(text, TRUE);
}

static void
test_layers_and_spans(void)
{
  CopydeskDocument *doc = copydesk_document_new("l", "Marco Rubio told CBS.", -1);
  g_assert_null(copydesk_document_layer(doc, "entity"));
  CopydeskLayer *entities = copydesk_document_ensure_layer(doc, "entity");
  g_assert_true(copydesk_document_ensure_layer(doc, "entity") == entities);
  g_assert_cmpstr(copydesk_layer_name(entities), ==, "entity");
  CopydeskSpan *cbs = copydesk_layer_add(entities, 17, 20, "ORG", NULL);
  CopydeskSpan *rubio = copydesk_layer_add(entities, 0, 11, "PERSON", NULL);
  g_assert_nonnull(cbs);
  gsize len;
  const char *t = copydesk_span_text(rubio, &len);
  g_assert_cmpmem(t, len, "Marco Rubio", 11);
  copydesk_span_set_string(rubio, "name", "Marco Rubio");
  copydesk_span_set_int(rubio, "mentions", 3);
  copydesk_span_set_double(rubio, "score", 0.75);
  copydesk_span_set_bool(rubio, "head", TRUE);
  copydesk_span_set_link(cbs, "said_to_by", rubio);
  g_assert_cmpstr(copydesk_span_get_string(rubio, "name"), ==, "Marco Rubio");
  g_assert_cmpint(copydesk_span_get_int(rubio, "mentions", -1), ==, 3);
  g_assert_cmpfloat(copydesk_span_get_double(rubio, "score", 0), ==, 0.75);
  g_assert_cmpfloat(copydesk_span_get_double(rubio, "mentions", 0), ==, 3.0);
  g_assert_true(copydesk_span_get_bool(rubio, "head", FALSE));
  g_assert_true(copydesk_span_get_link(cbs, "said_to_by") == rubio);
  g_assert_cmpint(copydesk_span_attr_type(rubio, "name"), ==, COPYDESK_ATTR_STRING);
  g_assert_cmpint(copydesk_span_attr_type(rubio, "nothing"), ==, COPYDESK_ATTR_NONE);
  g_assert_null(copydesk_span_get_string(rubio, "mentions")); /* wrong type */
  g_assert_cmpuint(copydesk_span_n_attrs(rubio), ==, 4);
  g_assert_cmpstr(copydesk_span_attr_key(rubio, 0), ==, "name");

  /* Sorting keeps span pointers valid and updates indexes. */
  g_assert_cmpuint(copydesk_span_index(rubio), ==, 1);
  gsize bounds[4];
  copydesk_layer_bounds(entities, bounds);
  g_assert_cmpuint(bounds[0], ==, 17);
  g_assert_cmpuint(bounds[1], ==, 20);
  g_assert_cmpuint(bounds[2], ==, 0);
  g_assert_cmpuint(bounds[3], ==, 11);
  copydesk_layer_sort(entities);
  g_assert_true(copydesk_layer_span(entities, 0) == rubio);
  g_assert_cmpuint(copydesk_span_index(rubio), ==, 0);
  copydesk_layer_bounds(entities, bounds);
  g_assert_cmpuint(bounds[0], ==, 0);
  g_assert_cmpuint(bounds[1], ==, 11);
  g_assert_cmpuint(bounds[2], ==, 17);
  g_assert_cmpuint(bounds[3], ==, 20);

  /* Bad spans are refused with the right codes. */
  GError *error = NULL;
  g_assert_null(copydesk_layer_add(entities, 5, 99, NULL, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE);
  g_clear_error(&error);
  g_assert_null(copydesk_layer_add(entities, 6, 5, NULL, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE);
  g_clear_error(&error);

  /* Clearing a layer unsets links into it. */
  copydesk_layer_clear(entities);
  g_assert_cmpuint(copydesk_layer_n_spans(entities), ==, 0);
  g_assert_cmpuint(copydesk_document_n_layers(doc), ==, 1);
  copydesk_document_free(doc);
}

static void
test_span_boundaries(void)
{
  CopydeskDocument *doc = copydesk_document_new("b", "né", -1);
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "x");
  GError *error = NULL;
  g_assert_null(copydesk_layer_add(layer, 0, 2, NULL, &error)); /* inside é */
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY);
  g_clear_error(&error);
  g_assert_nonnull(copydesk_layer_add(layer, 1, 3, NULL, &error));
  copydesk_document_free(doc);
}

/* Spans that exist before an edit move with the text. */
static void
test_spans_move_with_edits(void)
{
  CopydeskDocument *doc = copydesk_document_new("m", "Rubio  told   CBS", -1);
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "entity");
  CopydeskSpan *cbs = copydesk_layer_add(layer, 14, 17, "ORG", NULL);
  CopydeskSpan *told = copydesk_layer_add(layer, 7, 11, "VERB", NULL);
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  g_assert_true(copydesk_edit_replace(edit, 5, 7, " ", 1, NULL));
  g_assert_true(copydesk_edit_replace(edit, 11, 14, " ", 1, NULL));
  copydesk_edit_commit(edit);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "Rubio told CBS");
  gsize len;
  const char *t = copydesk_span_text(cbs, &len);
  g_assert_cmpmem(t, len, "CBS", 3);
  t = copydesk_span_text(told, &len);
  g_assert_cmpmem(t, len, "told", 4);
  g_assert_cmpuint(copydesk_document_original_start(doc, copydesk_span_start(cbs)), ==, 14);
  copydesk_document_free(doc);
}

static void
test_edit_refusals(void)
{
  CopydeskDocument *doc = copydesk_document_new("r", "abcé", -1);
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  GError *error = NULL;
  g_assert_true(copydesk_edit_replace(edit, 2, 3, "X", -1, &error));
  g_assert_false(copydesk_edit_replace(edit, 1, 2, "Y", -1, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_ORDER);
  g_clear_error(&error);
  g_assert_false(copydesk_edit_replace(edit, 4, 4, "Y", -1, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY);
  g_clear_error(&error);
  g_assert_false(copydesk_edit_replace(edit, 5, 5, "\xFF", 1, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_UTF8);
  g_clear_error(&error);
  g_assert_false(copydesk_edit_replace(edit, 3, 9, "", 0, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE);
  g_clear_error(&error);
  copydesk_edit_abort(edit);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "abcé"); /* untouched */
  copydesk_document_free(doc);
}

/* One document edited again and again, the edits of every size the edit's rooms are kept for
 * and past them (16 replacements and 256 bytes in the arena, 64 KB kept on the heap), each
 * commit checked against the same replacements made on a copy, with an abort between. */
static void
test_edit_reuse(void)
{
  GString *model = g_string_new(NULL);
  for (int i = 0; i < 20000; i++)
    g_string_append(model, "abcd ");
  CopydeskDocument *doc = copydesk_document_new("reuse", model->str, (gssize)model->len);
  /* replacements: COUNT of SIZE bytes, one every STEP bytes, each over one byte */
  const struct { gsize count, size, step; } rounds[] = {
      {1, 1, 5}, {16, 1, 5}, {17, 1, 5}, {16, 16, 5}, {17, 16, 5}, {3, 300, 5},
      {300, 3, 5}, {2, 70000, 5}, {9000, 9, 10}, {17, 0, 5}, {8, 2, 5}, {1, 1, 5}};
  for (gsize r = 0; r < G_N_ELEMENTS(rounds); r++) {
    char *bytes = g_strnfill(rounds[r].size, (char)('A' + r));
    /* an aborted edit first: it changes nothing */
    CopydeskEdit *edit = copydesk_edit_begin(doc);
    for (gsize i = 0; i < rounds[r].count; i++)
      g_assert_true(copydesk_edit_replace(edit, i * 7, i * 7, "zz", 2, NULL));
    copydesk_edit_abort(edit);
    g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, model->str);
    /* then the round's edit, made on the model too (from the end, so earlier places hold) */
    edit = copydesk_edit_begin(doc);
    for (gsize i = 0; i < rounds[r].count; i++) {
      gsize at = i * rounds[r].step;
      g_assert_true(copydesk_edit_replace(edit, at, at + 1, bytes, (gssize)rounds[r].size, NULL));
    }
    copydesk_edit_commit(edit);
    for (gsize i = rounds[r].count; i-- > 0;) {
      gsize at = i * rounds[r].step;
      g_string_erase(model, (gssize)at, 1);
      g_string_insert_len(model, (gssize)at, bytes, (gssize)rounds[r].size);
    }
    gsize len;
    const char *text = copydesk_document_text(doc, &len);
    g_assert_cmpuint(len, ==, model->len);
    g_assert_true(memcmp(text, model->str, len) == 0 && text[len] == '\0');
    g_free(bytes);
  }
  copydesk_document_free(doc);
  g_string_free(model, TRUE);
}

/* An edit ended by a commit or an abort refuses to be used again and changes nothing. */
static void
test_edit_after_end(void)
{
  CopydeskDocument *doc = copydesk_document_new("ended", "abcdef", -1);
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  g_assert_true(copydesk_edit_replace(edit, 0, 1, "XY", -1, NULL));
  copydesk_edit_commit(edit);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "XYbcdef");
  GError *error = NULL;
  g_assert_false(copydesk_edit_replace(edit, 3, 4, "Q", -1, &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "copydesk_edit_begin"));
  g_clear_error(&error);
  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*editing*");
  copydesk_edit_commit(edit);
  g_test_assert_expected_messages();
  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*editing*");
  copydesk_edit_abort(edit);
  g_test_assert_expected_messages();
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "XYbcdef");
  /* a new edit works as the first did */
  edit = copydesk_edit_begin(doc);
  g_assert_true(copydesk_edit_replace(edit, 2, 7, "", 0, NULL));
  copydesk_edit_commit(edit);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "XY");
  copydesk_document_free(doc);
}

/* Characters of the valid UTF-8 S that start before byte POS, in code points or UTF-16 units
 * (the reference the document's index must agree with, at any byte, even inside a character). */
static gsize
naive_units(const char *s, gsize pos, gboolean utf16)
{
  gsize n = 0;
  for (gsize i = 0; i < pos; i++) {
    guchar c = (guchar)s[i];
    if ((c & 0xC0) != 0x80)
      n += (utf16 && c >= 0xF0) ? 2 : 1;
  }
  return n;
}

static void
check_every_position(const char *s, gsize len, guint32 seed)
{
  CopydeskDocument *doc = copydesk_document_new("every", s, len);
  /* increasing, then decreasing, then at random: the index and the cursor give one answer */
  for (gsize pos = 0; pos <= len + 2; pos++) {
    gsize p = MIN(pos, len);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==,
                     naive_units(s, p, FALSE));
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==,
                     naive_units(s, p, TRUE));
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_BYTES), ==, p);
  }
  for (gsize pos = len + 1; pos-- > 0;)
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==,
                     naive_units(s, pos, TRUE));
  GRand *rand = g_rand_new_with_seed(seed);
  for (int k = 0; k < 500; k++) {
    gsize pos = g_rand_int_range(rand, 0, (gint32)len + 1);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==,
                     naive_units(s, pos, FALSE));
  }
  g_rand_free(rand);
  copydesk_document_free(doc);
}

static void
test_offset_units_every_position(void)
{
  /* All ASCII; ASCII stretches longer than the index's stride between non-ASCII and astral
   * characters, some of them across a multiple of 256 bytes; non-ASCII everywhere; empty. */
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 900; i++)
    g_string_append_c(s, (char)('a' + i % 26));
  check_every_position(s->str, s->len, 1);
  g_string_truncate(s, 0);
  for (int i = 0; i < 40; i++) {
    for (int k = 0; k < (i * 37) % 300; k++)
      g_string_append_c(s, ' ');
    g_string_append(s, i % 3 == 0 ? "\xF0\x9D\x84\x9E" : i % 3 == 1 ? "\xE2\x80\x9C" : "\xC3\xBC");
  }
  check_every_position(s->str, s->len, 2);
  g_string_truncate(s, 0);
  for (int i = 0; i < 300; i++)
    g_string_append(s, i % 2 ? "\xF0\x9F\x98\x80" : "\xD0\xB6");
  check_every_position(s->str, s->len, 3);
  check_every_position("", 0, 4);
  check_every_position("\xF0\x9F\x98\x80", 4, 5);
  /* A four-byte character across a multiple of 64 bytes, or just before one: the index's
   * block before it holds its lead alone. */
  for (int lead = 60; lead < 66; lead++) {
    g_string_truncate(s, 0);
    for (int k = 0; k < lead; k++)
      g_string_append_c(s, 'a');
    g_string_append(s, "\xF0\x9F\x98\x80");
    for (int k = 0; k < 100; k++)
      g_string_append_c(s, 'b');
    check_every_position(s->str, s->len, 6 + (guint32)lead);
  }
  g_string_free(s, TRUE);
}

static void
test_offset_units_with_invalid_bytes(void)
{
  /* Each invalid byte is one character; a long run of ASCII around them. */
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 1200; i++) {
    if (i % 97 == 5)
      g_string_append(s, "\xFF");
    else if (i % 131 == 7)
      g_string_append(s, "\xF0\x9F\x98\x80");
    else
      g_string_append_c(s, 'x');
  }
  CopydeskDocument *doc = copydesk_document_new("bad", s->str, s->len);
  gsize cp = 0, u16 = 0;
  for (gsize pos = 0; pos < s->len;) {
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==, cp);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==, u16);
    guchar c = (guchar)s->str[pos];
    gsize n = c == 0xF0 ? 4 : 1;
    cp++;
    u16 += n == 4 ? 2 : 1;
    pos += n;
  }
  g_assert_cmpuint(copydesk_document_original_offset(doc, s->len, COPYDESK_UNIT_CODEPOINTS), ==, cp);
  for (gsize pos = s->len; pos >= 7; pos -= 7) /* backwards: never more than at the end */
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), <=, cp);
  copydesk_document_free(doc);
  g_string_free(s, TRUE);
}

/* With invalid bytes too, every byte position (inside characters as well) gets the count of the
 * characters that start before it, asked in increasing order (the index grows as it goes, its
 * checkpoints a few bytes past the multiples of its stride that fall inside a character), then
 * backwards, then at random. */
static void
test_offset_units_invalid_every_position(void)
{
  static const char *const pieces[] = {"\xFF", "\xF0\x9F\x98\x80", "\xE2\x80\x9C", "ab", "\xC3"};
  GString *s = g_string_new(NULL);
  GArray *starts = g_array_new(FALSE, FALSE, sizeof(gsize)); /* of characters, and their units */
  GArray *widths = g_array_new(FALSE, FALSE, sizeof(gsize));
  for (int i = 0; s->len < 3000; i++) {
    const char *piece = pieces[(i * 5 + i / 7) % G_N_ELEMENTS(pieces)];
    gsize n = strlen(piece);
    gsize w = n == 4 ? 2 : 1;
    if (n == 2) { /* two ASCII characters */
      for (gsize k = 0; k < 2; k++) {
        gsize at = s->len + k, one = 1;
        g_array_append_val(starts, at);
        g_array_append_val(widths, one);
      }
    } else {
      gsize at = s->len;
      g_array_append_val(starts, at);
      g_array_append_val(widths, w);
    }
    g_string_append(s, piece);
  }
  CopydeskDocument *doc = copydesk_document_new("bad-every", s->str, s->len);
  g_assert_cmpuint(copydesk_document_n_invalid_sequences(doc), >, 0);
  gsize *expected_cp = g_new0(gsize, s->len + 1), *expected_u16 = g_new0(gsize, s->len + 1);
  for (gsize pos = 0, c = 0, cp = 0, u16 = 0; pos <= s->len; pos++) {
    while (c < starts->len && g_array_index(starts, gsize, c) < pos) {
      cp++;
      u16 += g_array_index(widths, gsize, c);
      c++;
    }
    expected_cp[pos] = cp;
    expected_u16[pos] = u16;
  }
  for (gsize pos = 0; pos <= s->len; pos++) {
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==,
                     expected_cp[pos]);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==,
                     expected_u16[pos]);
  }
  for (gsize pos = s->len + 1; pos-- > 0;)
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_UTF16), ==,
                     expected_u16[pos]);
  copydesk_document_free(doc);
  /* A fresh document asked at random: the index grows by jumps. */
  doc = copydesk_document_new("bad-random", s->str, s->len);
  GRand *rand = g_rand_new_with_seed(11);
  for (int k = 0; k < 3000; k++) {
    gsize pos = g_rand_int_range(rand, 0, (gint32)s->len + 1);
    g_assert_cmpuint(copydesk_document_original_offset(doc, pos, COPYDESK_UNIT_CODEPOINTS), ==,
                     expected_cp[pos]);
  }
  g_rand_free(rand);
  copydesk_document_free(doc);
  g_free(expected_cp);
  g_free(expected_u16);
  g_array_free(starts, TRUE);
  g_array_free(widths, TRUE);
  g_string_free(s, TRUE);
}

static void
test_labels_and_keys_interned(void)
{
  CopydeskDocument *doc = copydesk_document_new("intern", "one two three", -1);
  CopydeskLayer *a = copydesk_document_ensure_layer(doc, "a");
  CopydeskLayer *b = copydesk_document_ensure_layer(doc, "b");
  char label[16];
  CopydeskSpan *x = copydesk_layer_add(a, 0, 3, strcpy(label, "word"), NULL);
  CopydeskSpan *y = copydesk_layer_add(b, 4, 7, "word", NULL);
  /* the same buffer with other content is another label */
  CopydeskSpan *z = copydesk_layer_add(a, 8, 13, strcpy(label, "number"), NULL);
  g_assert_true(copydesk_span_label(x) == copydesk_span_label(y));
  g_assert_cmpstr(copydesk_span_label(z), ==, "number");
  g_assert_cmpstr(copydesk_span_label(x), ==, "word");
  copydesk_span_set_label(z, "word");
  g_assert_true(copydesk_span_label(z) == copydesk_span_label(x));
  CopydeskSpanInit init[] = {{0, 3, "number"}, {4, 7, label}};
  g_assert_true(copydesk_layer_add_spans(b, init, 2, NULL));
  g_assert_true(copydesk_span_label(copydesk_layer_span(b, 1)) ==
                copydesk_span_label(copydesk_layer_span(b, 2)));

  /* keys: from one buffer with changing content, many of them on one span, long values */
  char key[32];
  for (int i = 0; i < 40; i++) {
    g_snprintf(key, sizeof key, "key%d", i);
    copydesk_span_set_int(x, key, i);
  }
  GString *big = g_string_new(NULL);
  for (int i = 0; i < 20000; i++)
    g_string_append_c(big, (char)('a' + i % 26));
  copydesk_span_set_string(x, "big", big->str);
  copydesk_span_set_string(y, "small", "s");
  g_assert_cmpuint(copydesk_span_n_attrs(x), ==, 41);
  for (int i = 0; i < 40; i++) {
    g_snprintf(key, sizeof key, "key%d", i);
    g_assert_cmpint(copydesk_span_get_int(x, key, -1), ==, i);
    g_assert_cmpstr(copydesk_span_attr_key(x, (guint)i), ==, key);
  }
  g_assert_cmpstr(copydesk_span_get_string(x, "big"), ==, big->str);
  g_assert_cmpstr(copydesk_span_get_string(y, "small"), ==, "s");
  g_assert_true(copydesk_span_attr_key(x, 0) != key);
  g_string_free(big, TRUE);
  copydesk_document_free(doc);
}

static void
test_add_spans_out_of_order_and_refused(void)
{
  CopydeskDocument *doc = copydesk_document_new("order", "alpha beta gamma", -1);
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "l");
  /* not sorted, overlapping, empty: all allowed */
  CopydeskSpanInit init[] = {{11, 16, "c"}, {0, 5, "a"}, {6, 10, "b"}, {0, 16, NULL}, {5, 5, "e"}};
  g_assert_true(copydesk_layer_add_spans(layer, init, G_N_ELEMENTS(init), NULL));
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 5);
  g_assert_cmpuint(copydesk_span_start(copydesk_layer_span(layer, 0)), ==, 11);
  g_assert_null(copydesk_span_label(copydesk_layer_span(layer, 3)));
  /* a bad span after good ones: the layer keeps what it had, and takes more later */
  CopydeskSpanInit bad[] = {{0, 5, "a"}, {6, 10, "b"}, {10, 6, "x"}};
  GError *error = NULL;
  g_assert_false(copydesk_layer_add_spans(layer, bad, G_N_ELEMENTS(bad), &error));
  g_assert_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE);
  g_clear_error(&error);
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 5);
  g_assert_true(copydesk_layer_add_spans(layer, bad, 2, NULL));
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 7);
  g_assert_cmpuint(copydesk_span_index(copydesk_layer_span(layer, 6)), ==, 6);
  g_assert_cmpstr(copydesk_span_label(copydesk_layer_span(layer, 6)), ==, "b");
  copydesk_layer_sort(layer);
  g_assert_cmpuint(copydesk_span_start(copydesk_layer_span(layer, 0)), ==, 0);
  g_assert_cmpuint(copydesk_span_end(copydesk_layer_span(layer, 0)), ==, 16);
  copydesk_document_free(doc);
}

/* While a thread reuses what its documents leave (as the runner's threads do), labels and keys
 * are interned once for all its documents, up to a limit, and in each document past it: equal
 * strings are still one pointer within a document, and a string at an address that held
 * another before is still told apart. */
static void
test_thread_reuse(void)
{
  copydesk_document_thread_reuse(TRUE);
  for (int round = 0; round < 3; round++) {
    CopydeskDocument *doc = copydesk_document_new("d", "abc", -1);
    CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "l");
    CopydeskSpan *keyed = copydesk_layer_add(layer, 0, 3, "keys", NULL);
    char name[32]; /* one buffer for every string: the memo must look at its bytes */
    for (int i = 0; i < 700; i++) { /* more than the shared room */
      g_snprintf(name, sizeof name, "name-%d-%d", round == 2 ? 700 - i : i, round);
      char *copy = g_strdup(name);
      CopydeskSpan *a = copydesk_layer_add(layer, 0, 1, name, NULL);
      CopydeskSpan *b = copydesk_layer_add(layer, 1, 2, copy, NULL);
      g_assert_cmpstr(copydesk_span_label(a), ==, copy);
      g_assert_true(copydesk_span_label(a) == copydesk_span_label(b));
      copydesk_span_set_int(keyed, name, i);
      copydesk_span_set_int(keyed, copy, i + 1); /* the same key: set again */
      g_assert_cmpuint(copydesk_span_n_attrs(keyed), ==, (guint)i + 1);
      g_free(copy);
    }
    for (int i = 0; i < 700; i++) {
      g_snprintf(name, sizeof name, "name-%d-%d", round == 2 ? 700 - i : i, round);
      g_assert_cmpint(copydesk_span_get_int(keyed, name, -1), ==, i + 1);
      g_assert_cmpstr(copydesk_span_label(copydesk_layer_span(layer, 1 + 2 * (gsize)i)), ==, name);
    }
    copydesk_document_free(doc);
  }
  copydesk_document_thread_reuse(FALSE);
  /* long labels, with the shared room empty again: past its bytes well before its count */
  copydesk_document_thread_reuse(TRUE);
  for (int round = 0; round < 2; round++) {
    CopydeskDocument *doc = copydesk_document_new("d", "abc", -1);
    CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "l");
    for (int i = 0; i < 40; i++) {
      char *label = g_strdup_printf("%0999d", round * 100 + i);
      CopydeskSpan *a = copydesk_layer_add(layer, 0, 1, label, NULL);
      CopydeskSpan *b = copydesk_layer_add(layer, 1, 2, label, NULL);
      g_assert_cmpstr(copydesk_span_label(a), ==, label);
      g_assert_true(copydesk_span_label(a) == copydesk_span_label(b));
      g_free(label);
    }
    copydesk_document_free(doc);
  }
  copydesk_document_thread_reuse(FALSE);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/document/text_and_original", test_text_and_original);
  g_test_add_func("/document/invalid_utf8_becomes_replacement", test_invalid_utf8_becomes_replacement);
  g_test_add_func("/document/offset_units", test_offset_units);
  g_test_add_func("/document/offset_units_long_text", test_offset_units_long_text);
  g_test_add_func("/document/offset_units_every_position", test_offset_units_every_position);
  g_test_add_func("/document/offset_units_with_invalid_bytes",
                  test_offset_units_with_invalid_bytes);
  g_test_add_func("/document/offset_units_invalid_every_position",
                  test_offset_units_invalid_every_position);
  g_test_add_func("/document/add_spans_in_bulk", test_add_spans_in_bulk);
  g_test_add_func("/document/add_spans_out_of_order_and_refused",
                  test_add_spans_out_of_order_and_refused);
  g_test_add_func("/document/labels_and_keys_interned", test_labels_and_keys_interned);
  g_test_add_func("/document/fields", test_fields);
  g_test_add_func("/document/errors", test_errors);
  g_test_add_func("/document/layers_and_spans", test_layers_and_spans);
  g_test_add_func("/document/span_boundaries", test_span_boundaries);
  g_test_add_func("/document/spans_move_with_edits", test_spans_move_with_edits);
  g_test_add_func("/document/edit_refusals", test_edit_refusals);
  g_test_add_func("/document/edit_reuse", test_edit_reuse);
  g_test_add_func("/document/edit_after_end", test_edit_after_end);
  g_test_add_func("/document/thread_reuse", test_thread_reuse);
  return g_test_run();
}
