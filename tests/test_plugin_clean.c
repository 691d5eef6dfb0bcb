/* copydesk — tests of the clean plugin, run through the real loader.
 *
 * Every test checks the cleaned text and the offset map: each ASCII word of the
 * cleaned text must map back to exactly the bytes it came from in the input
 * (assert_word_map), so no pass may smear a replacement over its neighbours.
 */
#include <copydesk/copydesk.h>

#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>

#include "harness.h"
#include "jsonl_record.h"

/* The survey itself, compiled in to be compared with a byte-at-a-time reference (the plugin's
 * own copy has hidden visibility, so the two do not clash). */
#include "../plugins/clean/survey.c"

/* ---- Helpers -------------------------------------------------------------- */

/* A word whose original bytes differ from it (e.g. "find" from "ﬁnd"). */
typedef struct {
  const char *word;
  const char *original;
} MapException;

/* Asserts that every maximal run of ASCII letters and digits in DOC's current text maps back
 * to the same bytes in the original text, except the words EXCEPTIONS (ended by a NULL word)
 * name, which must map to their given original bytes.  Returns the number of words seen. */
static guint assert_word_map(const CopydeskDocument *doc, const MapException *exceptions) {
  gsize n, on;
  const char *t = copydesk_document_text(doc, &n);
  const char *o = copydesk_document_original(doc, &on);
  guint words = 0;
  for (gsize i = 0; i < n;) {
    if (!g_ascii_isalnum(t[i])) {
      i++;
      continue;
    }
    gsize j = i;
    while (j < n && g_ascii_isalnum(t[j])) j++;
    gsize os = copydesk_document_original_start(doc, i);
    gsize oe = copydesk_document_original_end(doc, j);
    g_assert_cmpuint(os, <=, oe);
    g_assert_cmpuint(oe, <=, on);
    char *word = g_strndup(t + i, j - i);
    char *orig = g_strndup(o + os, oe - os);
    const char *want = word;
    for (const MapException *e = exceptions; e && e->word; e++)
      if (strcmp(e->word, word) == 0) want = e->original;
    if (strcmp(orig, want) != 0)
      g_test_message("word \"%s\" at [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                     ") maps to \"%s\" [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ")",
                     word, i, j, orig, os, oe);
    g_assert_cmpstr(orig, ==, want);
    g_free(word);
    g_free(orig);
    words++;
    i = j;
  }
  return words;
}

/* A harness for clean with OPTIONS (a YAML flow mapping, or NULL for the defaults). */
static CopydeskHarness *clean_harness(const char *options) {
  char *yaml =
      g_strdup_printf("pipeline:\n  - plugin: clean\n%s%s%soutput: {plugin: jsonl}\n",
                      options ? "    options: " : "", options ? options : "", options ? "\n" : "");
  CopydeskHarness *h = copydesk_harness_new(yaml);
  g_free(yaml);
  return h;
}

/* Cleans LEN bytes of INPUT (-1: NUL-terminated) with OPTIONS and asserts the result is
 * EXPECTED and the word map holds (with EXCEPTIONS). */
static void check_len(const char *options, const char *input, gssize len, const char *expected,
                      const MapException *exceptions) {
  CopydeskHarness *h = clean_harness(options);
  CopydeskDocument *doc = copydesk_harness_process(h, input, len);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  gsize n;
  const char *text = copydesk_document_text(doc, &n);
  g_assert_cmpstr(text, ==, expected);
  g_assert_cmpuint(n, ==, strlen(expected));
  assert_word_map(doc, exceptions);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void check(const char *options, const char *input, const char *expected) {
  check_len(options, input, -1, expected, NULL);
}

/* All passes off but the ones named in ONLY (the defaults of the others are "on"). */
#define ALL_OFF                                                                \
  "html_entities: false, control: false, zero_width: false, normalize: none, " \
  "whitespace: false, join_lines: false, quotes: keep"

/* ---- Plain text and defaults ---------------------------------------------- */

static void test_plain_ascii_unchanged(void) {
  const char *text =
      "The Senate passed the bill 51-49 on Tuesday, Reuters reported.\n\n"
      "It now goes to the House, aides said.";
  CopydeskHarness *h = clean_harness(NULL);
  CopydeskDocument *doc = copydesk_harness_process(h, text, -1);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, text);
  g_assert_cmpuint(assert_word_map(doc, NULL), ==, 19);
  /* Nothing changed: the map is the identity. */
  for (gsize i = 0; i <= strlen(text); i++) {
    g_assert_cmpuint(copydesk_document_original_start(doc, i), ==, i);
    g_assert_cmpuint(copydesk_document_original_end(doc, i), ==, i);
  }
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

/* The survey (survey.c) reads 32 bytes at a time, and a stop at a block's edge needs the
 * block after it: a piece that needs cleaning at every position of texts of every length up
 * to 40 bytes, and plain words whose single spaces fall at every position, with the
 * defaults.  Each piece is cleaned the same wherever it stands. */
static void test_survey_every_position(void) {
  static const struct {
    const char *piece, *cleaned; /* inside a word */
  } pieces[] = {
      {"  ", " "},          {"\t", " "},     {" \t", " "},  {"\x01", ""},     {"\x7f", ""},
      {"\u00A0", " "},      {"\u200B", ""},  {"\u00C3\u00A9", "\u00E9"},     {"e\u0301", "\u00E9"},
      {"\u2019", "\u2019"}, {"&amp;", "&"},   {"\r\n\r\n", "\n\n"},         {" \n\n ", "\n\n"},
  };
  const char *letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  CopydeskHarness *h = clean_harness("{boilerplate: false}");
  for (gsize len = 1; len <= 40; len++) {
    for (gsize at = 0; at <= len; at++) {
      for (guint k = 0; k < G_N_ELEMENTS(pieces); k++) {
        GString *input = g_string_new_len(letters, (gssize)at);
        g_string_append(input, pieces[k].piece);
        g_string_append_len(input, letters + at, (gssize)(len - at));
        /* White space at either end of the text goes; inside, the piece's cleaned form. */
        gboolean blank = strspn(pieces[k].cleaned, " \n") == strlen(pieces[k].cleaned);
        GString *want = g_string_new_len(letters, (gssize)at);
        if (!(blank && (at == 0 || at == len))) g_string_append(want, pieces[k].cleaned);
        g_string_append_len(want, letters + at, (gssize)(len - at));
        CopydeskDocument *doc = copydesk_harness_process(h, input->str, (gssize)input->len);
        if (g_strcmp0(copydesk_document_text(doc, NULL), want->str) != 0)
          g_test_message("piece %u at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, k, at, len);
        g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, want->str);
        if (*pieces[k].cleaned != '\0') assert_word_map(doc, NULL); /* a deletion joins two */
        copydesk_document_free(doc);
        g_string_free(input, TRUE);
        g_string_free(want, TRUE);
      }
      /* Plain words: a single space at AT is kept (one at either end is not). */
      if (at > 0 && at < len) {
        GString *input = g_string_new_len(letters, (gssize)at);
        g_string_append_c(input, ' ');
        g_string_append_len(input, letters + at, (gssize)(len - at));
        CopydeskDocument *doc = copydesk_harness_process(h, input->str, (gssize)input->len);
        g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, input->str);
        copydesk_document_free(doc);
        g_string_free(input, TRUE);
      }
    }
  }
  copydesk_harness_free(h);
}

/* Asserts that the survey of the LEN bytes of the NUL-terminated TEXT lists the stops that a
 * byte-at-a-time reading of survey.c's definition finds, and the same any_high. */
static void assert_survey_bytewise(const char *text, gsize len) {
  const guchar *t = (const guchar *)text;
  CleanSurvey survey = {0};
  clean_survey_take(&survey, text, len);
  gsize n = 0;
  gboolean high = FALSE;
  for (gsize i = 0; i < len; i++) {
    gboolean plain = t[i] >= 0x21 && t[i] <= 0x7E;
    gboolean joining_space = t[i] == ' ' && i > 0 && t[i + 1] >= 0x21 && t[i + 1] <= 0x7E;
    high = high || t[i] >= 0x80;
    if (plain || joining_space) continue;
    if (n >= survey.n_stops || survey.stops[n] != i)
      g_test_message("length %" G_GSIZE_FORMAT ": stop %" G_GSIZE_FORMAT " missed", len, i);
    g_assert_cmpuint(n, <, survey.n_stops);
    g_assert_cmpuint(survey.stops[n], ==, i);
    n++;
  }
  g_assert_cmpuint(survey.n_stops, ==, n);
  g_assert_cmpint(survey.any_high, ==, high);
  g_assert_true(survey.valid);
  clean_survey_clear(&survey);
}

/* The survey's vector loop (32 bytes at a time, as two blocks of 16) against the reference: a
 * special byte, and a space before one, at every position of texts of 0 to 40 bytes (one
 * block, two, and a tail), and random texts long enough to cross its 4096-byte batches. */
static void test_survey_bytewise(void) {
  static const guchar special[] = {' ',  '\t', '\n', '\r', 0x00, 0x01, 0x1F, 0x7F,
                                   0x80, 0xA0, 0xC3, 0xE2, 0xFF, '!',  '~'};
  for (gsize len = 0; len <= 40; len++) {
    char text[64];
    memset(text, 'a', len);
    text[len] = '\0';
    assert_survey_bytewise(text, len);
    for (gsize at = 0; at < len; at++) {
      for (guint k = 0; k < G_N_ELEMENTS(special); k++) {
        memset(text, 'a', len);
        text[at] = (char)special[k];
        assert_survey_bytewise(text, len);
        if (at + 1 < len) { /* a space before it: the stop reads the byte after */
          text[at] = ' ';
          text[at + 1] = (char)special[k];
          assert_survey_bytewise(text, len);
        }
      }
    }
  }
  /* Random texts, mostly letters and spaces, of up to 9000 bytes. */
  static const guchar alphabet[] = "aaaaaaaaaaaaaaaa     \t\n\x01\x7f\x80\xc3\xa9!~";
  static char text[9001];
  for (guint round = 0; round < 2000; round++) {
    gsize len = (gsize)g_test_rand_int_range(0, 9001);
    for (gsize i = 0; i < len; i++)
      text[i] = (char)alphabet[g_test_rand_int_range(0, (gint32)sizeof alphabet - 1)];
    text[len] = '\0';
    assert_survey_bytewise(text, len);
  }
}

/* Asserts that clean_survey_chars() of the valid UTF-8 TEXT finds its distinct non-ASCII
 * characters (or that there are more than it keeps) and its controls, as a reading of each
 * character does. */
static void assert_survey_chars(const char *text) {
  CleanSurvey survey = {0};
  clean_survey_take(&survey, text, strlen(text));
  clean_survey_chars(&survey, text);
  g_assert_true(survey.chars_known);
  GArray *want = g_array_new(FALSE, FALSE, sizeof(gunichar));
  gboolean control = FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x80) {
      control = control || (c < 0x20 && !(c >= '\t' && c <= '\r')) || c == 0x7F;
      continue;
    }
    guint j = 0;
    while (j < want->len && g_array_index(want, gunichar, j) != c) j++;
    if (j == want->len) g_array_append_val(want, c);
  }
  if (want->len > CLEAN_SURVEY_CHARS) {
    g_assert_true(survey.many_chars);
  } else {
    g_assert_false(survey.many_chars);
    g_assert_cmpint(survey.any_control, ==, control);
    g_assert_cmpuint(survey.n_chars, ==, want->len);
    for (guint j = 0; j < want->len; j++)
      g_assert_cmpuint(survey.chars[j], ==, g_array_index(want, gunichar, j));
  }
  g_array_free(want, TRUE);
  clean_survey_clear(&survey);
}

/* The survey's characters and controls, and the passes that pass over a text by them: a control
 * before or after the first non-ASCII character, characters of two, three and four bytes, and
 * more distinct characters than the survey keeps. */
static void test_survey_chars(void) {
  static const char *const texts[] = {
      "",
      "plain words\nand lines",
      "a\x01b",
      "a\x7f \t\r\n\v\f b",
      "\u2019 then \x1f",
      "\u00e9\u2019\u00e9 \U0001F600 \u00a0\u2019",
      "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce"
      "\u00cf",
      "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce"
      "\u00cf\u00d0 \x01",
  };
  for (guint i = 0; i < G_N_ELEMENTS(texts); i++) assert_survey_chars(texts[i]);
  /* A control after a curly quote goes; a zero-width space among many distinct letters too; a
   * combining accent among inert characters is composed. */
  check(NULL, "It\u2019s\x01 here.", "It\u2019s here.");
  check(NULL,
        "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd"
        "\u00ce\u00cf\u00d0\u200b.",
        "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd"
        "\u00ce\u00cf\u00d0.");
  check(NULL, "\u201cCafe\u0301\u201d \u2014 here.", "\u201cCaf\u00e9\u201d \u2014 here.");
}

static void test_empty_and_blank(void) {
  check(NULL, "", "");
  check(NULL, " \t\r\n \n\u00A0 ", "");
  check(NULL, "\u200B\uFEFF", "");
}

static void test_bad_options_rejected(void) {
  GError *error = NULL;
  CopydeskHarness *h = copydesk_harness_try_new(
      "pipeline:\n  - plugin: clean\n    options: {normalize: nfd}\noutput: {plugin: jsonl}\n",
      &error);
  g_assert_null(h);
  g_assert_nonnull(error);
  g_clear_error(&error);
  h = copydesk_harness_try_new(
      "pipeline:\n  - plugin: clean\n    options: {squash: true}\noutput: {plugin: jsonl}\n",
      &error);
  g_assert_null(h);
  g_assert_nonnull(error);
  g_clear_error(&error);
}

/* ---- Whitespace ------------------------------------------------------------ */

static void test_crlf(void) {
  check(NULL, "Line one\r\nLine two\rLine three\r\n", "Line one\nLine two\nLine three");
  check(NULL, "Para one.\r\n\r\nPara two.", "Para one.\n\nPara two.");
  check("{whitespace: false, join_lines: false}", "Line one\r\nLine two\r",
        "Line one\r\nLine two\r");
}

static void test_spaces(void) {
  check(NULL, "  Hello \t  world  \n\n\n\n  Next   para  ", "Hello world\n\nNext para");
  check(NULL, "one \n two\n \t\nthree", "one\ntwo\n\nthree");
  check("{whitespace: false, join_lines: false}", "  Hello \t  world  \n\n\n\nNext",
        "  Hello \t  world  \n\n\n\nNext");
}

static void test_unicode_spaces(void) {
  check(NULL, "A\u00A0B\u2003C\u202FD\u205FE\u3000F\u2009\u2009G", "A B C D E F G");
  check(NULL, "Line\u2028next\u2029Para", "Line\nnext\n\nPara");
  check("{whitespace: false, join_lines: false}", "A\u00A0B", "A\u00A0B");
}

/* ---- Invisible and control characters ------------------------------------- */

static void test_soft_hyphen_zero_width(void) {
  static const MapException soft[] = {
      {"international", "inter\u00ADnational"},
      {"cooperation", "co\u200Boperation"},
      {"wordjoiner", "word\u2060joiner"},
      {NULL, NULL},
  };
  check_len(NULL, "\uFEFFinter\u00ADnational co\u200Boperation word\u2060joiner", -1,
            "international cooperation wordjoiner", soft);
  /* ZWJ and ZWNJ matter in some scripts: kept. */
  check(NULL, "a\u200Db a\u200Cb", "a\u200Db a\u200Cb");
  check("{zero_width: false}", "inter\u00ADnational co\u200Boperation",
        "inter\u00ADnational co\u200Boperation");
}

static void test_control_characters(void) {
  static const char input[] =
      "Bell\a here\x01, nul\0 end\x7f, C1\xC2\x80\xC2\x9F done"; /* U+0080, U+009F */
  /* (Mojibake repair off: it reads C1 controls as the Windows-1252 characters they almost
   * always were; see test_mojibake_c1.) */
  check_len("{mojibake: false}", input, sizeof input - 1, "Bell here, nul end, C1 done", NULL);
  /* Tabs and line breaks are whitespace's business, not control's. */
  check("{whitespace: false, join_lines: false}", "a\tb\nc\x01", "a\tb\nc");
  check("{control: false, mojibake: false}", "Bell\a here\xC2\x80", "Bell\a here\xC2\x80");
  /* NEL is a line break (when mojibake repair does not read it as "…"). */
  check("{mojibake: false}", "one\xC2\x85two", "one\ntwo"); /* U+0085 */
}

/* ---- HTML character references ------------------------------------------- */

static void test_entities_named(void) {
  check(NULL, "AT&amp;T &lt;b&gt; caf&eacute; &quot;q&quot; &euro;5 &copy; &apos;s",
        "AT&T <b> caf\u00E9 \"q\" \u20AC5 \u00A9 's");
  check(NULL, "&Alpha;&alpha; &thetasym; &rArr;", "\u0391\u03B1 \u03D1 \u21D2");
  check("{html_entities: false}", "AT&amp;T caf&eacute;", "AT&amp;T caf&eacute;");
}

static void test_entities_numeric(void) {
  static const MapException decoded[] = {{"ABC", "&#X41;BC"}, {NULL, NULL}};
  check_len(NULL, "caf&#233; caf&#xE9; &#X41;BC &#x1F600;", -1,
            "caf\u00E9 caf\u00E9 ABC \U0001F600", decoded);
  /* Windows-1252 in the C1 range, as HTML5 reads it. */
  check(NULL, "1990&#150;2000 &#147;q&#148;", "1990\u20132000 \u201Cq\u201D");
  /* Invalid code points. */
  check(NULL, "a&#0;b &#xD800;c &#x110000;d &#99999999999999;e",
        "a\uFFFDb \uFFFDc \uFFFDd \uFFFDe");
}

static void test_entities_malformed(void) {
  const char *text = "&amp no semicolon, &unknown; &#; &#x; & amp; &#12a; &#xZZ; &;";
  check(NULL, text, text);
  /* Decoded once, not twice. */
  check(NULL, "&amp;lt;", "&lt;");
}

static void test_entities_compose(void) {
  /* NBSP from an entity is whitespace; zero-width and controls from entities are removed;
   * a combining accent from an entity composes with its base. */
  static const MapException joined[] = {{"CD", "C&#1;D"}, {NULL, NULL}};
  check_len(NULL, "A&nbsp;&nbsp;B &#8203;C&#1;D caf&#x65;&#x301;", -1, "A B CD caf\u00E9", joined);
  check(NULL, "&nbsp; leading and trailing &#9;", "leading and trailing");
}

/* ---- Normalisation ----------------------------------------------------------- */

static void test_nfc(void) {
  check(NULL, "cafe\u0301 nai\u0308ve", "caf\u00E9 na\u00EFve");
  /* Canonical reordering inside one piece; Hangul jamo compose. */
  check(NULL, "e\u0301\u0323 \u1100\u1161", "\u1EB9\u0301 \uAC00");
  /* NFC keeps compatibility characters. */
  check(NULL, "\uFB01nd \u00BD", "\uFB01nd \u00BD");
  check("{normalize: none}", "cafe\u0301", "cafe\u0301");
  /* Already normal text with many non-ASCII characters is left alone. */
  check(NULL, "\u201CDon\u2019t\u201D \u2014 \u65E5\u672C\u8A9E \uD55C\uAD6D\uC5B4",
        "\u201CDon\u2019t\u201D \u2014 \u65E5\u672C\u8A9E \uD55C\uAD6D\uC5B4");
}

static void test_nfc_offsets(void) {
  /* The composed é maps back to "e" + U+0301; the words around keep their bytes. */
  const char *input = "The cafe\u0301 opened.";
  CopydeskHarness *h = clean_harness(NULL);
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  const char *text = copydesk_document_text(doc, NULL);
  g_assert_cmpstr(text, ==, "The caf\u00E9 opened.");
  gsize e = strlen("The caf");
  g_assert_cmpuint(copydesk_document_original_start(doc, e), ==, e);
  g_assert_cmpuint(copydesk_document_original_end(doc, e + 2), ==, e + 3);
  assert_word_map(doc, NULL);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_nfkc(void) {
  static const MapException fi[] = {
      {"find", "\uFB01nd"}, {"ABC", "\uFF21\uFF22\uFF23"}, {"x2", "x\u00B2"}, {NULL, NULL}};
  check_len("{normalize: nfkc}", "\uFB01nd \uFF21\uFF22\uFF23 x\u00B2", -1, "find ABC x2", fi);
}

static void test_long_mark_run(void) {
  /* A pathological run of combining marks is left alone (and does not take quadratic time). */
  GString *s = g_string_new("a");
  for (int i = 0; i < 50000; i++) g_string_append(s, i % 2 ? "\u0301" : "\u0323");
  g_string_append(s, " cafe\u0301");
  GString *want = g_string_new_len(s->str, (gssize)(s->len - strlen("cafe\u0301")));
  g_string_append(want, "caf\u00E9");
  check(NULL, s->str, want->str);
  g_string_free(s, TRUE);
  g_string_free(want, TRUE);
}

/* ---- Line joining ----------------------------------------------------------- */

static const char *const wrapped =
    "Senate passes budget bill\n"
    "WASHINGTON (Reuters) -\n"
    "\n"
    "The Senate on Tuesday passed a stopgap spending bill that would fund the\n"
    "federal government through the end of September, averting a partial\n"
    "shutdown that had threatened to close national parks and delay paychecks\n"
    "for hundreds of thousands of federal workers across the country.\n"
    "\n"
    "Results by state\n"
    "Ohio 52 percent\n"
    "Iowa 48 percent\n";

/* The line-joining tests keep the dateline in the text (boilerplate has its own tests). */
static void test_join_wrapped(void) {
  check("{boilerplate: false}", wrapped,
        "Senate passes budget bill\n"
        "WASHINGTON (Reuters) -\n"
        "\n"
        "The Senate on Tuesday passed a stopgap spending bill that would fund the "
        "federal government through the end of September, averting a partial "
        "shutdown that had threatened to close national parks and delay paychecks "
        "for hundreds of thousands of federal workers across the country.\n"
        "\n"
        "Results by state\n"
        "Ohio 52 percent\n"
        "Iowa 48 percent");
}

static void test_join_off(void) {
  check("{join_lines: false, boilerplate: false}", wrapped,
        "Senate passes budget bill\n"
        "WASHINGTON (Reuters) -\n"
        "\n"
        "The Senate on Tuesday passed a stopgap spending bill that would fund the\n"
        "federal government through the end of September, averting a partial\n"
        "shutdown that had threatened to close national parks and delay paychecks\n"
        "for hundreds of thousands of federal workers across the country.\n"
        "\n"
        "Results by state\n"
        "Ohio 52 percent\n"
        "Iowa 48 percent");
}

static void test_join_conservative(void) {
  /* Lines that end a sentence before a short line keep their break (a list, a sign-off);
   * so do title-case lines and bullets. */
  const char *text =
      "The committee will meet again next week to discuss the proposal further.\n"
      "Reporting by Jane Doe\n"
      "\n"
      "Senate Leaders Agree On Stopgap Spending Bill To Avert Shutdown Now\n"
      "The Senate on Tuesday passed a stopgap spending bill that would fund\n"
      "the government.\n"
      "\n"
      "The measures passed include the following items for the coming year:\n"
      "- more money for roads and bridges in rural counties across the state\n"
      "- tax credits";
  check(NULL, text,
        "The committee will meet again next week to discuss the proposal further.\n"
        "Reporting by Jane Doe\n"
        "\n"
        "Senate Leaders Agree On Stopgap Spending Bill To Avert Shutdown Now\n"
        "The Senate on Tuesday passed a stopgap spending bill that would fund "
        "the government.\n"
        "\n"
        "The measures passed include the following items for the coming year:\n"
        "- more money for roads and bridges in rural counties across the state\n"
        "- tax credits");
}

/* A long line that reads like a headline (three words in five capitalised) keeps its break, one
 * a word short of that is joined: lines of thousands of bytes, their words counted sixteen
 * bytes at a time in batches. */
static void test_join_long_title(void) {
  static const char *const lines[] = {"Ab cd Ef gh Ij ", "Ab cd ef gh Ij "};
  for (guint k = 0; k < G_N_ELEMENTS(lines); k++) {
    GString *first = g_string_new(NULL);
    for (guint r = 0; r < 400; r++) g_string_append(first, lines[k]);
    g_string_truncate(first, first->len - 1);
    GString *input = g_string_new(first->str), *want = g_string_new(first->str);
    GString *second = g_string_new(NULL);
    for (guint r = 0; r < 1200; r++) g_string_append(second, "word ");
    g_string_append(second, "words");
    g_string_append_printf(input, "\n%s\nend.", second->str);
    g_string_append_printf(want, "%s%s end.", k == 0 ? "\n" : " ", second->str);
    check("{boilerplate: false}", input->str, want->str);
    g_string_free(first, TRUE);
    g_string_free(second, TRUE);
    g_string_free(input, TRUE);
    g_string_free(want, TRUE);
  }
}

static void test_join_with_crlf_and_spaces(void) {
  check(NULL,
        "The Senate on Tuesday passed a stopgap spending bill that would fund the  \r\n"
        "  federal government through the end of September, averting a partial\r\n"
        "shutdown.\r\n",
        "The Senate on Tuesday passed a stopgap spending bill that would fund the "
        "federal government through the end of September, averting a partial shutdown.");
}

/* ---- Quote marks -------------------------------------------------------------- */

static void test_quotes_keep(void) {
  const char *text = "\u201CHi,\u201D she said. \"Yes,\" he said. It's \u2018fine\u2019.";
  check(NULL, text, text);
}

static void test_quotes_straight(void) {
  check("{quotes: straight}",
        "\u201CHi,\u201D she said. \u2018Yes\u2019 \u201EJa\u201C \u00ABOui\u00BB \u201AX\u201B "
        "Rubio\u2019s \u201Fz",
        "\"Hi,\" she said. 'Yes' \"Ja\" \"Oui\" 'X' Rubio's \"z");
}

static void test_quotes_curly(void) {
  check("{quotes: curly}",
        "\"Hello,\" he said. 'Don't go,' she said. It's Reuters' story from the '90s. "
        "(\"Quoted\") rock 'n' roll, 'em.",
        "\u201CHello,\u201D he said. \u2018Don\u2019t go,\u2019 she said. It\u2019s Reuters\u2019 "
        "story from the \u201990s. (\u201CQuoted\u201D) rock \u2019n\u2019 roll, \u2019em.");
  /* A lone mark between spaces closes an open quote. */
  check("{quotes: curly}", "\"a \" b", "\u201Ca \u201D b");
  /* Straight marks from entities are curled too. */
  check("{quotes: curly}", "&quot;Yes&quot;", "\u201CYes\u201D");
}

/* ---- All together ------------------------------------------------------------ */

static void test_all_passes_offsets(void) {
  static const MapException exceptions[] = {{"international", "inter&shy;national"}, {NULL, NULL}};
  const char *input =
      "\uFEFF  &nbsp;WASHINGTON&nbsp;(Reuters)\u00A0-\r\n"
      "\"Sen. Smith\" said cafe\u0301 prices\x01 rose&nbsp;&nbsp;5&#37;\t.\r\n"
      "\r\n\r\n\r\n"
      "inter&shy;national\u200B  talks &amp; more \u2003 ";
  CopydeskHarness *h = clean_harness("{quotes: curly}");
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  /* The dateline line is moved into its field once the other passes have tidied it. */
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==,
                  "\u201CSen. Smith\u201D said caf\u00E9 prices rose 5% .\n"
                  "\n"
                  "international talks & more");
  g_assert_cmpstr(copydesk_document_get_field(doc, "dateline"), ==, "\"WASHINGTON (Reuters)\"");
  g_assert_cmpuint(assert_word_map(doc, exceptions), ==, 10);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_everything_off(void) {
  const char *text = "A&amp;B\u00AD\x01  cafe\u0301\r\n\r\n\r\n\"x\"";
  check("{" ALL_OFF "}", text, text);
}

static void test_large_document_linear(void) {
  /* 1 MB of messy text (an edit every few bytes, in every pass): it must finish quickly
   * and stay mapped. */
  GString *s = g_string_new(NULL);
  while (s->len < 1u << 20)
    g_string_append(s, "Sen. Smith&nbsp;said  \"cafe\u0301\"\r\nit's fine\u00AD.\t \r\n\r\n\r\n");
  gint64 t0 = g_get_monotonic_time();
  CopydeskHarness *h = clean_harness("{quotes: curly}");
  CopydeskDocument *doc = copydesk_harness_process(h, s->str, (gssize)s->len);
  gint64 elapsed = g_get_monotonic_time() - t0;
  g_test_message("cleaned %" G_GSIZE_FORMAT " bytes in %.1f ms", s->len, elapsed / 1000.0);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_true(g_str_has_prefix(copydesk_document_text(doc, NULL),
                                 "Sen. Smith said \u201Ccaf\u00E9\u201D\nit\u2019s fine.\n\n"));
  assert_word_map(doc, NULL);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
  g_string_free(s, TRUE);
}


/* ---- Mojibake ----------------------------------------------------------------- */

/* Only the mojibake pass. */
#define ONLY_MOJIBAKE "{" ALL_OFF ", boilerplate: false}"

/* The original bytes that current bytes [START, END) of DOC map to. */
static char *original_of(const CopydeskDocument *doc, gsize start, gsize end) {
  const char *o = copydesk_document_original(doc, NULL);
  gsize os = copydesk_document_original_start(doc, start);
  gsize oe = copydesk_document_original_end(doc, end);
  return g_strndup(o + os, oe - os);
}

/* ---- Stray HTML tags ------------------------------------------------------------ */

static void test_tags_off_by_default(void) {
  check(NULL, "Dock workers <b>voted</b>.", "Dock workers <b>voted</b>.");
}

static void test_tags_stripped(void) {
  /* Inline tags go, block tags break paragraphs, <br> breaks the line, comments go;
   * escaped markup and a lone '<' are text. */
  check("{strip_tags: true}",
        "<p>Dock workers <b>voted</b> on <a href=\"/x\" class='y'>Tuesday</a>.</p>"
        "<p>&lt;b&gt; stays, a < b too.<br/>Next<!-- note --> line.</p>",
        "Dock workers voted on Tuesday.\n\n<b> stays, a < b too.\nNext line.");
  check("{strip_tags: true}", "Scores: 3<4 and <3 and <<unclosed <b", "Scores: 3<4 and <3 and <<unclosed <b");
}

static void test_tags_offsets(void) {
  CopydeskHarness *h = clean_harness("{strip_tags: true}");
  CopydeskDocument *doc = copydesk_harness_process(h, "<i>Port</i> <b>Carrow</b> voted.", -1);
  const char *text = copydesk_document_text(doc, NULL);
  g_assert_cmpstr(text, ==, "Port Carrow voted.");
  char *carrow = original_of(doc, 5, 11);
  g_assert_cmpstr(carrow, ==, "Carrow");
  g_assert_cmpuint(copydesk_document_original_start(doc, 5), ==, 15);
  g_free(carrow);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_mojibake_repairs(void) {
  /* UTF-8 read as Windows-1252, Latin-1, MacRoman, Windows-1251, twice, and CESU-8. */
  check(NULL, "Caf\u00C3\u00A9 au lait", "Caf\u00E9 au lait");
  check(NULL, "It\u00E2\u20AC\u2122s done", "It\u2019s done");
  check(NULL, "Iggy Pop (n\u00C3\u0192\u00C2\u00A9 Jim Osterberg)", "Iggy Pop (n\u00E9 Jim Osterberg)");
  check(NULL, "The Mona Lisa doesn\u00C3\u0192\u00C2\u00A2\u00C3\u00A2\u00E2\u20AC\u0161\u00C2\u00AC"
        "\u00C3\u00A2\u00E2\u20AC\u017E\u00C2\u00A2t have eyebrows.",
        "The Mona Lisa doesn\u2019t have eyebrows.");
  check(NULL, "Hi guys \u00ED\u00A0\u00BD\u00ED\u00B8\xC2\x8D", "Hi guys \U0001F60D");
  check(NULL, "un r\u221A\u00A9gime \u221A\u00A9quilibr\u221A\u00A9",
        "un r\u00E9gime \u00E9quilibr\u00E9");
  check(NULL,
        "\u0420\u0491\u0420\u0455\u0421\u0402\u0420\u0455\u0420\u0456\u0420\u00B5 "
        "\u0420\xC2\x98\u0420\u00B7-\u0420\u0457\u0420\u0455\u0420\u0491",
        "\u0434\u043E\u0440\u043E\u0433\u0435 \u0418\u0437-\u043F\u043E\u0434");
  /* A 0xA0 byte that became a space, and bytes lost to U+FFFD. */
  check(NULL, "voil\u00C3 le travail", "voil\u00E0 le travail");
  check(ONLY_MOJIBAKE, "\u00E2\u20AC\u0153lossy decoding\u00E2\u20AC\uFFFD",
        "\u201Clossy decoding\uFFFD");
  /* Only the line that needs it. */
  check(NULL, "Line one is fine: caf\u00E9.\nLine two is not: caf\u00C3\u00A9.",
        "Line one is fine: caf\u00E9.\nLine two is not: caf\u00E9.");
}

static void test_mojibake_offsets(void) {
  /* Each repair is its own small edit: the repaired character maps to exactly the characters
   * it was made from, and the words around it keep their one-to-one map. */
  const char *input = "It\u00E2\u20AC\u2122s the caf\u00C3\u00A9 na\u00C3\u00AFve plan";
  CopydeskHarness *h = clean_harness(NULL);
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  const char *text = copydesk_document_text(doc, NULL);
  g_assert_cmpstr(text, ==, "It\u2019s the caf\u00E9 na\u00EFve plan");
  static const struct {
    const char *current, *original;
  } pieces[] = {
      {"\u2019", "\u00E2\u20AC\u2122"}, {"\u00E9", "\u00C3\u00A9"}, {"\u00EF", "\u00C3\u00AF"},
      {"caf\u00E9", "caf\u00C3\u00A9"}, {"plan", "plan"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(pieces); i++) {
    const char *at = strstr(text, pieces[i].current);
    g_assert_nonnull(at);
    gsize start = (gsize)(at - text);
    char *orig = original_of(doc, start, start + strlen(pieces[i].current));
    g_assert_cmpstr(orig, ==, pieces[i].original);
    g_free(orig);
  }
  assert_word_map(doc, NULL);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_mojibake_correct_text_untouched(void) {
  /* Correct text in many scripts, and ftfy's look-alikes that are not mojibake. */
  static const char *const texts[] = {
      "Caf\u00E9, na\u00EFve, Z\u00FCrich, S\u00E3o Paulo, \u0141\u00F3d\u017A, \u0130stanbul, "
      "\u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AC, \u0440\u0443\u0441\u0441\u043A\u0438\u0439, "
      "\u65E5\u672C\u8A9E, \U0001F600.",
      "There are a lot of \u00C3\u2019s in mojibake text",
      "C O N C L U S \u00C3 O",
      "Bremer/Mccoy \u2013 Dr\u00C3\u00A5ber",
      "NESTL\u00C9\u00AE requiere contratar personal",
      "2012\u2014\u221E and 5\u00D7\u00A335 and (-1/2)! = \u221A\u03C0",
      "\u201CQuoted,\u201D she said \u2013 it\u2019s \u00BD price \u2026 \u00A9 2024 \u00AE \u2122",
      "Dvo\u0159\u00E1k, Sm\u00F6rg\u00E5sbord, \u00C6sir, \u00DEingvellir, stra\u00DFe, \u00BFQu\u00E9? \u00A1S\u00ED!",
  };
  for (guint i = 0; i < G_N_ELEMENTS(texts); i++) check(NULL, texts[i], texts[i]);
}

static void test_mojibake_c1(void) {
  /* C1 controls are the Windows-1252 characters they almost always were; the ones Windows-1252
   * does not define are left to the control pass. */
  check(ONLY_MOJIBAKE, "\xC2\x84Handwerk\xC2\x93 and parl\u00E9\xC2\x85 Tu",
        "\u201EHandwerk\u201C and parl\u00E9\u2026 Tu");
  check(ONLY_MOJIBAKE, "intentional \xC2\x81 controls \x1A", "intentional \xC2\x81 controls \x1A");
  check(NULL, "C1\xC2\x80\xC2\x9F done", "C1\u20AC\u0178 done");
}

static void test_mojibake_off(void) {
  check("{mojibake: false}", "Caf\u00C3\u00A9 It\u00E2\u20AC\u2122s", "Caf\u00C3\u00A9 It\u00E2\u20AC\u2122s");
}

/* The strings of a JSON record's FIELD, decoded. */
static char *record_string(const CopydeskJsonRecord *record, const char *field) {
  const char *json = copydesk_json_record_get(record, field);
  return json && *json == '"' ? copydesk_json_string_decode(json, NULL) : NULL;
}

static void test_mojibake_ftfy_cases(void) {
  const char *dir = g_getenv("COPYDESK_SHARED_DATA");
  char *path = dir ? g_build_filename(dir, "mojibake", "ftfy_cases.jsonl", NULL) : NULL;
  char *data = NULL;
  if (path == NULL || !g_file_get_contents(path, &data, NULL, NULL)) {
    g_test_skip("ftfy_cases.jsonl not found (COPYDESK_SHARED_DATA)");
    g_free(path);
    return;
  }
  CopydeskHarness *h = clean_harness(ONLY_MOJIBAKE);
  guint total = 0, passed = 0, negatives = 0, untouched = 0, known = 0, known_fixed = 0;
  char **lines = g_strsplit(data, "\n", -1);
  for (guint l = 0; lines[l]; l++) {
    if (*g_strstrip(lines[l]) == '\0') continue;
    GError *error = NULL;
    CopydeskJsonRecord *record = copydesk_json_record_parse(lines[l], strlen(lines[l]), &error);
    g_assert_no_error(error);
    char *original = record_string(record, "original");
    char *expected = record_string(record, "fixed_encoding");
    char *expect = record_string(record, "expect");
    char *category = record_string(record, "category");
    g_assert_nonnull(original);
    g_assert_nonnull(expected);
    CopydeskDocument *doc = copydesk_harness_process(h, original, -1);
    gboolean ok = strcmp(copydesk_document_text(doc, NULL), expected) == 0;
    if (g_strcmp0(expect, "pass") == 0) {
      total++;
      passed += ok;
      if (!ok)
        g_test_message("ftfy miss: %s\n  want: %s\n  got:  %s", original, expected,
                       copydesk_document_text(doc, NULL));
      if (g_strcmp0(category, "negative") == 0 && strcmp(original, expected) == 0) {
        negatives++;
        untouched += strcmp(copydesk_document_text(doc, NULL), original) == 0;
      }
    } else {
      known++;
      known_fixed += ok;
    }
    copydesk_document_free(doc);
    copydesk_json_record_free(record);
    g_free(original);
    g_free(expected);
    g_free(expect);
    g_free(category);
  }
  g_test_message("ftfy cases: %u of %u expect=pass give fixed_encoding; %u of %u negatives "
                 "untouched; %u of %u known failures fixed anyway",
                 passed, total, untouched, negatives, known_fixed, known);
  g_assert_cmpuint(total, >, 100);
  g_assert_cmpuint(passed, ==, total);
  g_assert_cmpuint(untouched, ==, negatives);
  g_strfreev(lines);
  g_free(data);
  g_free(path);
  copydesk_harness_free(h);
}

/* ---- Invalid UTF-8 ------------------------------------------------------------ */

static void test_invalid_utf8_reported(void) {
  static const char input[] = "caf\xE9 ok \xFF\xFE end";
  CopydeskHarness *h = clean_harness(NULL);
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  /* Each bad byte stays one U+FFFD mapped to it, and the count is a document field. */
  const char *text = copydesk_document_text(doc, NULL);
  g_assert_cmpstr(text, ==, "caf\uFFFD ok \uFFFD\uFFFD end");
  g_assert_cmpstr(copydesk_document_get_field(doc, "invalid_utf8"), ==, "3");
  char *orig = original_of(doc, 3, 6);
  g_assert_cmpstr(orig, ==, "\xE9");
  g_free(orig);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
  /* Valid input: no field; report_invalid off: no field. */
  h = clean_harness(NULL);
  doc = copydesk_harness_process(h, "fine", -1);
  g_assert_null(copydesk_document_get_field(doc, "invalid_utf8"));
  copydesk_document_free(doc);
  copydesk_harness_free(h);
  h = clean_harness("{report_invalid: false}");
  doc = copydesk_harness_process(h, input, -1);
  g_assert_null(copydesk_document_get_field(doc, "invalid_utf8"));
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

/* ---- Wire boilerplate --------------------------------------------------------- */

/* Cleans INPUT with OPTIONS; asserts the text is EXPECTED, the fields dateline, byline and
 * trailer are the given strings (NULL: absent) and every word maps back to itself. */
static void check_boilerplate(const char *options, const char *input, const char *expected,
                              const char *dateline, const char *byline, const char *trailer) {
  CopydeskHarness *h = clean_harness(options);
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, expected);
  const char *names[] = {"dateline", "byline", "trailer"};
  const char *want[] = {dateline, byline, trailer};
  for (guint i = 0; i < 3; i++) {
    const char *json = copydesk_document_get_field(doc, names[i]);
    char *got = json ? copydesk_json_string_decode(json, NULL) : NULL;
    g_assert_cmpstr(got, ==, want[i]);
    g_free(got);
  }
  assert_word_map(doc, NULL);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_boilerplate_datelines(void) {
  check_boilerplate(NULL, "WASHINGTON (Reuters) - The Senate voted on Tuesday.",
                    "The Senate voted on Tuesday.", "WASHINGTON (Reuters)", NULL, NULL);
  check_boilerplate(NULL, "LONDON, Jan 5 (AP) \u2014 Prices rose.", "Prices rose.",
                    "LONDON, Jan 5 (AP)", NULL, NULL);
  check_boilerplate(NULL, "PORT CARROW, March 3 (Copydesk Wire) - The port reopened.",
                    "The port reopened.", "PORT CARROW, March 3 (Copydesk Wire)", NULL, NULL);
  check_boilerplate(NULL, "NEW YORK, March 3, 2024 (Reuters) -- Stocks fell.", "Stocks fell.",
                    "NEW YORK, March 3, 2024 (Reuters)", NULL, NULL);
  /* After a headline; on its own line. */
  check_boilerplate(NULL, "Senate passes bill\n\nWASHINGTON (Reuters) - The Senate voted.",
                    "Senate passes bill\n\nThe Senate voted.", "WASHINGTON (Reuters)", NULL, NULL);
  check_boilerplate(NULL, "Senate passes bill\nWASHINGTON (Reuters) -\nThe Senate voted.",
                    "Senate passes bill\nThe Senate voted.", "WASHINGTON (Reuters)", NULL, NULL);
  check_boilerplate(NULL, "Is the Fed done?\n\nWASHINGTON (Reuters) - Rates held.",
                    "Is the Fed done?\n\nRates held.", "WASHINGTON (Reuters)", NULL, NULL);
  /* Not datelines. */
  const char *not_datelines[] = {
      "NATO (the alliance) said on Monday it would meet.",
      "The WASHINGTON (Reuters) - style is a convention.",
      "Officials said on Monday that the talks between the two governments would resume next "
      "week in Geneva, after a pause of almost a month over the terms of a ceasefire.\n\n"
      "LONDON (Reuters) - a dateline deep in the story.",
  };
  for (guint i = 0; i < G_N_ELEMENTS(not_datelines); i++)
    check_boilerplate(NULL, not_datelines[i], not_datelines[i], NULL, NULL, NULL);
}

static void test_boilerplate_story(void) {
  check_boilerplate(
      NULL,
      "Port reopens after storm\n\nBy Jane Doe and John Roe\n\n"
      "PORT CARROW, March 3 (Copydesk Wire) - The port reopened on Monday.\n\n"
      "\"We are back,\" the harbour master said. (Additional reporting by Ann Lee)\n\n"
      "Reporting by Jane Doe; Editing by John Roe\n",
      "Port reopens after storm\n\nThe port reopened on Monday.\n\n"
      "\"We are back,\" the harbour master said.",
      "PORT CARROW, March 3 (Copydesk Wire)", "Jane Doe and John Roe",
      "Additional reporting by Ann Lee\nReporting by Jane Doe; Editing by John Roe");
  /* Story sentences that look a little like boilerplate stay. */
  const char *stays[] = {
      "By the end of the year, prices rose.",
      "Prices rose.\n\nReporting by the agency was thin, he said.",
      "He said (reporting by phone) that it was over.",
  };
  for (guint i = 0; i < G_N_ELEMENTS(stays); i++)
    check_boilerplate(NULL, stays[i], stays[i], NULL, NULL, NULL);
  /* Off. */
  const char *story = "WASHINGTON (Reuters) - The Senate voted.\n\n(Reporting by Ann Lee)";
  check_boilerplate("{boilerplate: false}", story, story, NULL, NULL, NULL);
}

static void test_boilerplate_spans_map_back(void) {
  /* A sentence after the removed dateline reports its original offsets. */
  const char *input = "By Ann Lee\n\nWASHINGTON (Reuters) - The Senate voted. It was close.";
  CopydeskHarness *h = copydesk_harness_new(
      "pipeline:\n  - plugin: clean\n  - plugin: sentences\noutput: {plugin: jsonl}\n");
  CopydeskDocument *doc = copydesk_harness_process(h, input, -1);
  CopydeskLayer *sentences = copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE);
  g_assert_cmpuint(copydesk_layer_n_spans(sentences), ==, 2);
  const char *want[] = {"The Senate voted.", "It was close."};
  for (guint i = 0; i < 2; i++) {
    CopydeskSpan *span = copydesk_layer_span(sentences, i);
    char *orig = original_of(doc, copydesk_span_start(span), copydesk_span_end(span));
    g_assert_cmpstr(orig, ==, want[i]);
    g_assert_true(strstr(input, want[i]) == input + copydesk_document_original_start(
                                                        doc, copydesk_span_start(span)));
    g_free(orig);
  }
  copydesk_document_free(doc);
  copydesk_harness_free(h);
}

static void test_boilerplate_custom_patterns(void) {
  char *dir = g_dir_make_tmp("copydesk-clean-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *good = g_build_filename(dir, "mywire.txt", NULL);
  char *bad = g_build_filename(dir, "bad.txt", NULL);
  g_assert_true(g_file_set_contents(good,
                                    "# my wire\n"
                                    "dateline ^(?<value>[A-Z]+) //\\s*\n"
                                    "trailer ^-- (?<value>.+)$\n",
                                    -1, NULL));
  g_assert_true(g_file_set_contents(bad, "dateline ^ok\nheadline ^nope\n", -1, NULL));
  char *options = g_strdup_printf("{boilerplate_patterns: \"%s\"}", good);
  check_boilerplate(options, "BERLIN // Text here.\n\n-- desk@example.com", "Text here.",
                    "BERLIN", NULL, "desk@example.com");
  /* The built-in datelines do not apply with another file. */
  check_boilerplate(options, "WASHINGTON (Reuters) - Text.", "WASHINGTON (Reuters) - Text.", NULL,
                    NULL, NULL);
  g_free(options);
  /* A bad file, or a missing one that was asked for, stops the pipeline with file:line. */
  const char *files[] = {bad, "/nonexistent/wire.txt"};
  const char *messages[] = {"bad.txt:2: unknown boilerplate kind \"headline\"", "cannot read"};
  for (guint i = 0; i < 2; i++) {
    char *yaml = g_strdup_printf(
        "pipeline:\n  - plugin: clean\n    options: {boilerplate_patterns: \"%s\"}\n"
        "output: {plugin: jsonl}\n",
        files[i]);
    GError *error = NULL;
    CopydeskHarness *h = copydesk_harness_try_new(yaml, &error);
    g_assert_null(h);
    g_assert_nonnull(error);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, messages[i]));
    g_clear_error(&error);
    g_free(yaml);
  }
  g_unlink(good);
  g_unlink(bad);
  g_rmdir(dir);
  g_free(good);
  g_free(bad);
  g_free(dir);
}

/* A line whose first match does not fit (empty, or not at the line's end) is taken by a later
 * match, as GRegex steps to it (past empty matches, one character on). */
static void test_boilerplate_later_match(void) {
  char *dir = g_dir_make_tmp("copydesk-clean-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *file = g_build_filename(dir, "later.txt", NULL);
  g_assert_true(g_file_set_contents(file,
                                    "dateline (?<value>[A-Z]*)(?: //\\s*)?\n"
                                    "trailer \\((?<value>[^()]*)\\)\n",
                                    -1, NULL));
  char *options = g_strdup_printf("{boilerplate_patterns: \"%s\"}", file);
  check_boilerplate(options, "x BONN // Text here.", "x Text here.", "BONN", NULL, NULL);
  check_boilerplate(options, "x y\n\ntext (a) here (desk)", "x y\n\ntext (a) here", NULL, NULL,
                    "desk");
  g_free(options);
  g_unlink(file);
  g_rmdir(dir);
  g_free(file);
  g_free(dir);
}

static void test_boilerplate_prefilter(void) {
  /* Lines are only matched when PCRE2's facts about a pattern (first bytes, a byte every match
   * holds, anchoring) allow a match; these patterns make those facts less obvious: caseless
   * first letters (also U+212A KELVIN SIGN for k), a first byte that is not ASCII, a pattern
   * that is not anchored, and one anchored per line only. */
  char *dir = g_dir_make_tmp("copydesk-clean-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *file = g_build_filename(dir, "tricky.txt", NULL);
  g_assert_true(g_file_set_contents(file,
                                    "byline (?i)^by\\s+(?<value>\\w+)$\n"
                                    "dateline ^(?<value>\u00C9c\\w+) //\\s*\n"
                                    "dateline (?m)^(?<value>[A-Z]+) ::\\s*\n"
                                    "trailer (?i)\\((?<value>kx \\w+)\\)$\n",
                                    -1, NULL));
  /* normalize: none keeps the KELVIN SIGN (NFC makes it K). */
  char *options = g_strdup_printf("{boilerplate_patterns: \"%s\", normalize: none}", file);
  check_boilerplate(options, "by ann\n\nText here.", "Text here.", NULL, "ann", NULL);
  check_boilerplate(options, "BY ANN\n\nText here.", "Text here.", NULL, "ANN", NULL);
  check_boilerplate(options, "\u00C9cole // Text here.", "Text here.", "\u00C9cole", NULL, NULL);
  check_boilerplate(options, "BONN :: Text here.", "Text here.", "BONN", NULL, NULL);
  check_boilerplate(options, "Text here. (\u212AX desk)", "Text here.", NULL, NULL,
                    "\u212AX desk");
  check_boilerplate(options, "Text here. (kX desk)", "Text here.", NULL, NULL, "kX desk");
  check_boilerplate(options, "Text here. (desk)", "Text here. (desk)", NULL, NULL, NULL);
  g_free(options);
  g_unlink(file);
  g_rmdir(dir);
  g_free(file);
  g_free(dir);
}

static void test_boilerplate_shipped_file(void) {
  /* conf/boilerplate/wire.txt itself loads (the pipeline file's folder is conf/). */
  const char *root = g_getenv("COPYDESK_SOURCE_ROOT");
  if (root == NULL) {
    g_test_skip("COPYDESK_SOURCE_ROOT not set");
    return;
  }
  char *path = g_build_filename(root, "conf", "boilerplate", "wire.txt", NULL);
  char *options = g_strdup_printf("{boilerplate_patterns: \"%s\"}", path);
  check_boilerplate(options, "LONDON, Jan 5 (AP) \u2014 Prices rose.\n\n(Reporting by Ann Lee)",
                    "Prices rose.", "LONDON, Jan 5 (AP)", NULL, "Reporting by Ann Lee");
  g_free(options);
  g_free(path);
}

/* Bytes the allocator has handed out and not had back (glibc only: 0 elsewhere, and under
 * tools that replace malloc, which makes the check below vacuous there). */
static gsize heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#else
  return 0;
#endif
}

static void test_boilerplate_long_line_memory(void) {
  /* A last line on which the first trailer pattern backtracks deeply: PCRE2 (from 10.41)
   * keeps the backtracking frames it grew in the match data, some 125 bytes a byte of line
   * here.  The match data kept for the next document must not hold on to them. */
  GString *s = g_string_new("Story text.\n\n(Reporting by Jane ");
  while (s->len < 40000) g_string_append(s, "(x) ");
  g_string_append(s, "end) x");
  CopydeskHarness *h = clean_harness(NULL);
  /* A first document leaves the spare survey and match data in place. */
  CopydeskDocument *doc = copydesk_harness_process(h, "Story text.\n\n(Reporting by Ann Lee)", -1);
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "Story text.");
  copydesk_document_free(doc);
  gsize before = heap_in_use();
  doc = copydesk_harness_process(h, s->str, (gssize)s->len);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_null(copydesk_document_get_field(doc, "trailer")); /* it does not run to the end */
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, s->str);
  copydesk_document_free(doc);
  gsize after = heap_in_use();
  g_test_message("heap in use %" G_GSIZE_FORMAT " before, %" G_GSIZE_FORMAT " after", before,
                 after);
  g_assert_cmpuint(after, <, before + (1u << 20));
  /* The next document is cleaned as before. */
  check_boilerplate(NULL, "Story text.\n\n(Reporting by Ann Lee)", "Story text.", NULL, NULL,
                    "Reporting by Ann Lee");
  copydesk_harness_free(h);
  g_string_free(s, TRUE);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clean/plain-ascii-unchanged", test_plain_ascii_unchanged);
  g_test_add_func("/clean/empty-and-blank", test_empty_and_blank);
  g_test_add_func("/clean/survey/every-position", test_survey_every_position);
  g_test_add_func("/clean/survey/bytewise", test_survey_bytewise);
  g_test_add_func("/clean/survey/chars", test_survey_chars);
  g_test_add_func("/clean/bad-options", test_bad_options_rejected);
  g_test_add_func("/clean/whitespace/crlf", test_crlf);
  g_test_add_func("/clean/whitespace/spaces", test_spaces);
  g_test_add_func("/clean/whitespace/unicode-spaces", test_unicode_spaces);
  g_test_add_func("/clean/zero-width/soft-hyphen", test_soft_hyphen_zero_width);
  g_test_add_func("/clean/control", test_control_characters);
  g_test_add_func("/clean/tags/off_by_default", test_tags_off_by_default);
  g_test_add_func("/clean/tags/stripped", test_tags_stripped);
  g_test_add_func("/clean/tags/offsets", test_tags_offsets);
  g_test_add_func("/clean/entities/named", test_entities_named);
  g_test_add_func("/clean/entities/numeric", test_entities_numeric);
  g_test_add_func("/clean/entities/malformed", test_entities_malformed);
  g_test_add_func("/clean/entities/compose", test_entities_compose);
  g_test_add_func("/clean/normalize/nfc", test_nfc);
  g_test_add_func("/clean/normalize/nfc-offsets", test_nfc_offsets);
  g_test_add_func("/clean/normalize/nfkc", test_nfkc);
  g_test_add_func("/clean/normalize/long-mark-run", test_long_mark_run);
  g_test_add_func("/clean/join/wrapped", test_join_wrapped);
  g_test_add_func("/clean/join/off", test_join_off);
  g_test_add_func("/clean/join/conservative", test_join_conservative);
  g_test_add_func("/clean/join/crlf-and-spaces", test_join_with_crlf_and_spaces);
  g_test_add_func("/clean/join/long-title", test_join_long_title);
  g_test_add_func("/clean/quotes/keep", test_quotes_keep);
  g_test_add_func("/clean/quotes/straight", test_quotes_straight);
  g_test_add_func("/clean/quotes/curly", test_quotes_curly);
  g_test_add_func("/clean/all-passes-offsets", test_all_passes_offsets);
  g_test_add_func("/clean/everything-off", test_everything_off);
  g_test_add_func("/clean/large-document", test_large_document_linear);
  g_test_add_func("/clean/mojibake/repairs", test_mojibake_repairs);
  g_test_add_func("/clean/mojibake/offsets", test_mojibake_offsets);
  g_test_add_func("/clean/mojibake/correct-text-untouched", test_mojibake_correct_text_untouched);
  g_test_add_func("/clean/mojibake/c1", test_mojibake_c1);
  g_test_add_func("/clean/mojibake/off", test_mojibake_off);
  g_test_add_func("/clean/mojibake/ftfy-cases", test_mojibake_ftfy_cases);
  g_test_add_func("/clean/invalid-utf8", test_invalid_utf8_reported);
  g_test_add_func("/clean/boilerplate/datelines", test_boilerplate_datelines);
  g_test_add_func("/clean/boilerplate/story", test_boilerplate_story);
  g_test_add_func("/clean/boilerplate/spans-map-back", test_boilerplate_spans_map_back);
  g_test_add_func("/clean/boilerplate/custom-patterns", test_boilerplate_custom_patterns);
  g_test_add_func("/clean/boilerplate/prefilter", test_boilerplate_prefilter);
  g_test_add_func("/clean/boilerplate/later-match", test_boilerplate_later_match);
  g_test_add_func("/clean/boilerplate/shipped-file", test_boilerplate_shipped_file);
  g_test_add_func("/clean/boilerplate/long-line-memory", test_boilerplate_long_line_memory);
  return g_test_run();
}
