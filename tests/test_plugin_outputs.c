/* copydesk — tests of the text, conll, brat and html output plugins.
 *
 * Documents are built by hand with the document API and formatted through the real loader
 * by the harness; most expectations are exact strings.  The samples shared with the
 * Chromium test and the docs come from test_html_chromium.h.
 */
#include <copydesk/copydesk.h>

#include <glib/gstdio.h>
#include <dlfcn.h>
#include <string.h>

#include "harness.h"
#include "test_html_chromium.h"

/* ---- Helpers -------------------------------------------------------------------------- */

/* Formats DOC with output plugin PLUGIN and OPTIONS (a YAML flow mapping).  The pipeline
 * names clean and sentences (not run) so plugins requiring token and sentence load. */
static char *format_doc(const char *plugin, const char *options, const CopydeskDocument *doc) {
  char *yaml = g_strdup_printf(
      "pipeline:\n  - plugin: clean\n  - plugin: sentences\noutput:\n  plugin: %s\n  options: %s\n",
      plugin, options);
  CopydeskHarness *h = copydesk_harness_new(yaml);
  char *out = copydesk_harness_format(h, doc);
  copydesk_harness_free(h);
  g_free(yaml);
  return out;
}

static void assert_format(const char *plugin, const char *options, const CopydeskDocument *doc,
                          const char *expected) {
  char *out = format_doc(plugin, options, doc);
  if (g_strcmp0(out, expected) != 0) g_test_message("got:\n%s", out);
  g_assert_cmpstr(out, ==, expected);
  g_free(out);
}


static CopydeskSpan *add_entity(CopydeskDocument *doc, const char *needle, guint nth,
                                const char *label, const char *id, const char *name) {
  CopydeskSpan *s = copydesk_harness_add_at(doc, COPYDESK_LAYER_ENTITY, needle, nth, label);
  if (id != NULL) copydesk_span_set_string(s, "entity", id);
  if (name != NULL) copydesk_span_set_string(s, "name", name);
  return s;
}

/* Adds a token span for every run of non-space bytes, and one sentence per line. */
static void tokenize(CopydeskDocument *doc) {
  gsize len;
  const char *t = copydesk_document_text(doc, &len);
  for (gsize i = 0; i < len;) {
    if (t[i] == ' ' || t[i] == '\n') {
      i++;
      continue;
    }
    gsize j = i;
    while (j < len && t[j] != ' ' && t[j] != '\n') j++;
    copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, i, j, "word");
    i = j;
  }
  for (gsize i = 0; i < len;) {
    gsize j = i;
    while (j < len && t[j] != '\n') j++;
    if (j > i) copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, i, j, "sentence");
    i = j + 1;
  }
}

/* "Ana Lima met Bo Chen in Rome. “We agreed,” Lima said." with two people, a place and a
 * quote attributed to the second mention of Ana Lima. */
static CopydeskDocument *make_meeting(void) {
  CopydeskDocument *doc = copydesk_document_new(
      "t1", "Ana Lima met Bo Chen in Rome. \xe2\x80\x9cWe agreed,\xe2\x80\x9d Lima said.", -1);
  add_entity(doc, "Ana Lima", 0, "PERSON", "E1", "Ana Lima");
  add_entity(doc, "Bo Chen", 0, "PERSON", "E2", NULL);
  add_entity(doc, "Rome", 0, "LOC", "E3", NULL);
  CopydeskSpan *lima = add_entity(doc, "Lima", 1, "PERSON", "E1", NULL);
  CopydeskSpan *said = copydesk_harness_add_at(doc, "cue", "said", 0, "say");
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "We agreed", 0, "direct");
  copydesk_span_set_link(q, "speaker", lima);
  copydesk_span_set_link(q, "cue", said);
  return doc;
}

/* ---- text ----------------------------------------------------------------------------- */

static void test_text_summary(void) {
  CopydeskDocument *doc = make_meeting();
  assert_format("text", "{color: never, width: 80}", doc,
                "== t1 ==\n"
                "People:         Ana Lima (2), Bo Chen (1)\n"
                "Places:         Rome (1)\n"
                "Quotes:\n"
                "  Ana Lima (said): \xe2\x80\x9cWe agreed\xe2\x80\x9d\n");
  copydesk_document_free(doc);
}

static void test_text_wrap(void) {
  CopydeskDocument *doc = make_meeting();
  /* A name and its count stay together; continuation lines are indented. */
  assert_format("text", "{color: never, width: 30}", doc,
                "== t1 ==\n"
                "People:        Ana Lima (2),\n"
                "               Bo Chen (1)\n"
                "Places:        Rome (1)\n"
                "Quotes:\n"
                "  Ana Lima (said): \xe2\x80\x9cWe agreed\xe2\x80\x9d\n");
  /* width 0: $COLUMNS decides. */
  g_setenv("COLUMNS", "24", TRUE);
  char *out = format_doc("text", "{color: never}", doc);
  g_unsetenv("COLUMNS");
  char **lines = g_strsplit(out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpint(g_utf8_strlen(lines[i], -1), <=, 24);
  g_assert_cmpstr(lines[1], ==, "People:     Ana Lima");
  g_assert_cmpstr(lines[2], ==, "            (2),");
  g_assert_cmpstr(lines[3], ==, "            Bo Chen (1)");
  g_strfreev(lines);
  g_free(out);
  copydesk_document_free(doc);
}

static void test_text_color(void) {
  CopydeskDocument *doc = copydesk_document_new("c", "In Rome.", -1);
  add_entity(doc, "Rome", 0, "LOC", "E1", NULL);
  assert_format("text", "{color: always, width: 80}", doc,
                "\033[1;4m== c ==\033[0m\n"
                "\033[1mPlaces:\033[0m         \033[33mRome\033[0m\033[2m (1)\033[0m\n"
                "\033[1mQuotes:\033[0m         \033[2;3mnot annotated (no quotes stage in the "
                "pipeline)\033[0m\n");
  /* auto: the test's stdout is no terminal (and never is under meson). */
  char *out = format_doc("text", "{width: 80}", doc);
  g_assert_null(strchr(out, '\033'));
  g_free(out);
  copydesk_document_free(doc);
}

static void test_text_missing_layers(void) {
  CopydeskDocument *doc = copydesk_document_new("bare", "Nothing here.", -1);
  assert_format("text", "{color: never}", doc,
                "== bare ==\n"
                "Entities:       not annotated (no entities stage in the pipeline)\n"
                "Quotes:         not annotated (no quotes stage in the pipeline)\n");
  copydesk_document_ensure_layer(doc, COPYDESK_LAYER_ENTITY);
  copydesk_document_ensure_layer(doc, COPYDESK_LAYER_QUOTE);
  copydesk_document_add_error(doc, "quotes", "model file missing");
  assert_format("text", "{color: never}", doc,
                "== bare ==\n"
                "Entities:       none found\n"
                "Quotes:         none found\n"
                "Error:          quotes: model file missing\n");
  copydesk_document_free(doc);
}

/* Quotes without speaker or cue, partial and indirect ones, a headline, a speaker known only
 * by name, and control characters that must not reach the terminal. */
static void test_text_quotes_and_controls(void) {
  CopydeskDocument *doc = copydesk_document_new(
      "q\x1b[2J", "Port deal\nThey called it \xe2\x80\x9cgood\xe2\x80\x9d. Ed said it was fine.\n"
      "\xe2\x80\x9cNo\x1b]0;x\x07 comment.\xe2\x80\x9d",
      -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 9, "headline");
  CopydeskSpan *good = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "good", 0, "partial");
  copydesk_span_set_string(good, "speaker_name", "Port staff");
  copydesk_span_set_link(good, "cue", copydesk_harness_add_at(doc, "cue", "called", 0, "call"));
  CopydeskSpan *fine = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "it was fine", 0, "indirect");
  copydesk_span_set_link(fine, "speaker", add_entity(doc, "Ed", 0, "PERSON", "E1", "Ed Ruiz"));
  copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "No\x1b]0;x\x07 comment.", 0, "direct");
  assert_format("text", "{color: never, width: 60}", doc,
                "== q\xe2\x90\x9b[2J ==\n"
                "Port deal\n"
                "People:         Ed Ruiz (1)\n"
                "Quotes:\n"
                "  Port staff (called, partial): \xe2\x80\x9cgood\xe2\x80\x9d\n"
                "  Ed Ruiz (indirect): it was fine\n"
                "  Unattributed: \xe2\x80\x9cNo\xe2\x90\x9b]0;x\xe2\x90\x87 comment.\xe2\x80\x9d\n");
  copydesk_document_free(doc);
}

/* ---- conll ---------------------------------------------------------------------------- */

static void test_conll_tokens(void) {
  CopydeskDocument *doc =
      copydesk_document_new("c1", "Ana Lima met Bo Chen in Rome .\nLima left .", -1);
  tokenize(doc);
  add_entity(doc, "Ana Lima", 0, "PERSON", "E1", NULL);
  add_entity(doc, "Bo Chen", 0, "PERSON", "E2", NULL);
  add_entity(doc, "Rome", 0, "LOC", "E3", NULL);
  add_entity(doc, "Lima", 1, "PERSON", "E1", NULL);
  assert_format("conll", "{}", doc,
                "-DOCSTART- -X- -X- O\n"
                "\n"
                "Ana B-PER\nLima I-PER\nmet O\nBo B-PER\nChen I-PER\nin O\nRome B-LOC\n. O\n"
                "\n"
                "Lima B-PER\nleft O\n. O\n"
                "\n");
  assert_format("conll", "{labels: copydesk}", doc,
                "-DOCSTART- -X- -X- O\n"
                "\n"
                "Ana B-PERSON\nLima I-PERSON\nmet O\nBo B-PERSON\nChen I-PERSON\nin O\n"
                "Rome B-LOC\n. O\n"
                "\n"
                "Lima B-PERSON\nleft O\n. O\n"
                "\n");
  copydesk_document_free(doc);
}

static void test_conll_iob1(void) {
  /* Two adjacent people: IOB1 writes B- only where one entity follows another of its type. */
  CopydeskDocument *doc = copydesk_document_new("c2", "Ana Lima Bo Chen met in Rome", -1);
  tokenize(doc);
  add_entity(doc, "Ana Lima", 0, "PERSON", NULL, NULL);
  add_entity(doc, "Bo Chen", 0, "PERSON", NULL, NULL);
  add_entity(doc, "Rome", 0, "LOC", NULL, NULL);
  assert_format("conll", "{scheme: bio}", doc,
                "-DOCSTART- -X- -X- O\n\n"
                "Ana B-PER\nLima I-PER\nBo B-PER\nChen I-PER\nmet O\nin O\nRome B-LOC\n\n");
  assert_format("conll", "{scheme: iob1}", doc,
                "-DOCSTART- -X- -X- O\n\n"
                "Ana I-PER\nLima I-PER\nBo B-PER\nChen I-PER\nmet O\nin O\nRome I-LOC\n\n");
  copydesk_document_free(doc);
}

/* Tokens read from CoNLL input keep their columns; the predicted tag is appended and the
 * -DOCSTART- line has as many columns, so conlleval reads the file. */
static void test_conll_input_columns(void) {
  static const char *const lines[] = {"EU NNP B-NP B-ORG", "rejects VBZ B-VP O",
                                      "German JJ B-NP B-MISC", "call NN I-NP O"};
  CopydeskDocument *doc = copydesk_document_new("f#1", "EU rejects German call", -1);
  gsize at = 0;
  for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
    gsize n = strcspn(lines[i], " ");
    CopydeskSpan *t = copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, at, at + n, "word");
    copydesk_span_set_string(t, "conll", lines[i]);
    at += n + 1;
  }
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, at - 1, "sentence");
  add_entity(doc, "EU", 0, "ORG", "E1", NULL);
  add_entity(doc, "German call", 0, "MISC", "E2", NULL); /* a wrong prediction */
  assert_format("conll", "{}", doc,
                "-DOCSTART- -X- -X- O O\n"
                "\n"
                "EU NNP B-NP B-ORG B-ORG\n"
                "rejects VBZ B-VP O O\n"
                "German JJ B-NP B-MISC B-MISC\n"
                "call NN I-NP O I-MISC\n"
                "\n");
  copydesk_document_free(doc);

  /* Tab-separated input stays tab-separated. */
  doc = copydesk_document_new("f#2", "Paris", -1);
  CopydeskSpan *t = copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 0, 5, "word");
  copydesk_span_set_string(t, "conll", "Paris\tB-LOC");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, 5, "sentence");
  add_entity(doc, "Paris", 0, "LOC", NULL, NULL);
  assert_format("conll", "{}", doc, "-DOCSTART-\tO\tO\n\nParis\tB-LOC\tB-LOC\n\n");
  copydesk_document_free(doc);
}

/* Tokens outside every sentence form their own block; whitespace inside a token and a
 * missing layer do not break the columns. */
static void test_conll_odd_tokens(void) {
  CopydeskDocument *doc = copydesk_document_new("c3", "One two\xc2\xa0three. Four", -1);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 0, 3, "word");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, 4, copydesk_harness_find(doc, ".", 0), "word"); /* "two three" with NBSP */
  copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, copydesk_harness_find(doc, ".", 0), copydesk_harness_find(doc, ".", 0) + 1, "punct");
  copydesk_harness_add_at(doc, COPYDESK_LAYER_TOKEN, "Four", 0, "word");
  copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, copydesk_harness_find(doc, ".", 0) + 1, "sentence");
  assert_format("conll", "{}", doc,
                "-DOCSTART- -X- -X- O\n\nOne O\ntwo_three O\n. O\n\nFour O\n\n");
  CopydeskDocument *bare = copydesk_document_new("c4", "No layers.", -1);
  assert_format("conll", "{}", bare, "-DOCSTART- -X- -X- O\n\n");
  copydesk_document_free(bare);
  copydesk_document_free(doc);
}

/* Runs conlleval.py (the shared tools folder) on ARGS; NULL when it is not there. */
static char *conlleval(const char *const *args) {
  const char *shared = g_getenv("COPYDESK_SHARED_DATA");
  if (shared == NULL) return NULL;
  char *tools = g_path_get_dirname(shared);
  char *script = g_build_filename(tools, "tools", "conlleval.py", NULL);
  g_free(tools);
  char *python = g_find_program_in_path("python3");
  if (python == NULL || !g_file_test(script, G_FILE_TEST_EXISTS)) {
    g_free(script);
    g_free(python);
    return NULL;
  }
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, python);
  g_ptr_array_add(argv, script);
  for (guint i = 0; args[i] != NULL; i++) g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  char *out = NULL, *err = NULL;
  gint status = 0;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                             &err, &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL)) g_error("conlleval failed: %s%s", out, err);
  g_ptr_array_unref(argv);
  g_free(script);
  g_free(python);
  g_free(err);
  return out;
}

/* The output scores 100 against itself (two-file mode); CoNLL input with predictions equal
 * to its gold tags scores 100 read as one merged file. */
static void test_conll_conlleval(void) {
  char *dir = g_dir_make_tmp("copydesk-conll-XXXXXX", NULL);
  char *plain = g_build_filename(dir, "plain.conll", NULL);
  CopydeskDocument *docs[] = {sample_brief(), sample_article()};
  GString *all = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(docs); i++) {
    char *out = format_doc("conll", "{}", docs[i]);
    g_string_append(all, out);
    g_free(out);
    copydesk_document_free(docs[i]);
  }
  g_assert_true(g_file_set_contents(plain, all->str, (gssize)all->len, NULL));
  const char *const two[] = {plain, plain, NULL};
  char *report = conlleval(two);
  if (report == NULL) {
    g_test_skip("python3 or ../shared/tools/conlleval.py is missing");
  } else {
    g_test_message("%s", report);
    g_assert_nonnull(strstr(report, "found: 15 phrases; correct: 15."));
    g_assert_nonnull(strstr(report, "FB1: 100.00"));
    g_free(report);

    /* CoNLL input: gold in the second-to-last column, the prediction appended. */
    static const char *const lines[] = {"EU NNP B-NP B-ORG", "rejects VBZ B-VP O",
                                        "German JJ B-NP B-MISC", "call NN I-NP O"};
    CopydeskDocument *doc = copydesk_document_new("f#1", "EU rejects German call", -1);
    gsize at = 0;
    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
      gsize n = strcspn(lines[i], " ");
      CopydeskSpan *t = copydesk_harness_add_span(doc, COPYDESK_LAYER_TOKEN, at, at + n, "word");
      copydesk_span_set_string(t, "conll", lines[i]);
      at += n + 1;
    }
    copydesk_harness_add_span(doc, COPYDESK_LAYER_SENTENCE, 0, at - 1, "sentence");
    add_entity(doc, "EU", 0, "ORG", "E1", NULL);
    add_entity(doc, "German", 0, "MISC", "E2", NULL);
    char *out = format_doc("conll", "{}", doc);
    char *merged = g_build_filename(dir, "merged.conll", NULL);
    g_assert_true(g_file_set_contents(merged, out, -1, NULL));
    const char *const one[] = {merged, NULL};
    report = conlleval(one);
    g_assert_nonnull(strstr(report, "processed 5 tokens with 2 phrases; found: 2 phrases; correct: 2."));
    g_assert_nonnull(strstr(report, "FB1: 100.00"));
    g_free(report);
    g_remove(merged);
    g_free(merged);
    g_free(out);
    copydesk_document_free(doc);
  }
  g_remove(plain);
  g_rmdir(dir);
  g_free(plain);
  g_free(dir);
  g_string_free(all, TRUE);
}

/* ---- brat ----------------------------------------------------------------------------- */

/* Offsets count code points of the original text: é, ü and the emoji are one each. */
static void test_brat_codepoints(void) {
  CopydeskDocument *doc = copydesk_document_new(
      "news/1", "Jos\xc3\xa9 M\xc3\xbcller \xf0\x9f\x98\x80 told AFP: \xe2\x80\x9cIt works.\xe2\x80\x9d",
      -1);
  CopydeskSpan *jose = add_entity(doc, "Jos\xc3\xa9 M\xc3\xbcller", 0, "PERSON", "E1",
                                  "Jos\xc3\xa9 M\xc3\xbcller");
  add_entity(doc, "AFP", 0, "ORG", "E2", NULL);
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "It works.", 0, "direct");
  copydesk_span_set_link(q, "speaker", jose);
  copydesk_span_set_link(q, "cue", copydesk_harness_add_at(doc, "cue", "told", 0, "tell"));
  copydesk_span_set_double(q, "confidence", 0.875);
  const char *ann =
      "T1\tPERSON 0 11\tJos\xc3\xa9 M\xc3\xbcller\n"
      "T2\tORG 19 22\tAFP\n"
      "T3\tQuote 25 34\tIt works.\n"
      "T4\tCueVerb 14 18\ttold\n"
      "A1\tKind T3 direct\n"
      "R1\tSpeaker Arg1:T3 Arg2:T1\n"
      "R2\tCue Arg1:T3 Arg2:T4\n"
      "#1\tAnnotatorNotes T1\tE1 Jos\xc3\xa9 M\xc3\xbcller\n"
      "#2\tAnnotatorNotes T2\tE2\n"
      "#3\tAnnotatorNotes T3\tconfidence: 0.88\n";
  gsize len;
  const char *original = copydesk_document_original(doc, &len);
  /* The id has a '/', so the name gets the start of the id's SHA-1. */
  char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA1, "news/1", -1);
  char *expected = g_strdup_printf("#copydesk-brat news_1-%.8s.txt %zu\n%s\n"
                                   "#copydesk-brat news_1-%.8s.ann %zu\n%s\n",
                                   hash, len, original, hash, strlen(ann), ann);
  assert_format("brat", "{}", doc, expected);
  g_free(expected);
  g_free(hash);
  copydesk_document_free(doc);
}

/* The .ann part of brat's stream output for DOC (after the second header line). */
static char *brat_ann(const CopydeskDocument *doc) {
  char *out = format_doc("brat", "{}", doc);
  const char *h = strstr(out, "#copydesk-brat ");
  h = strstr(h + 1, "#copydesk-brat ");
  g_assert_nonnull(h);
  char *ann = g_strdup(strchr(h, '\n') + 1);
  g_assert_true(g_str_has_suffix(ann, "\n\n") || strcmp(ann, "\n") == 0);
  ann[strlen(ann) - 1] = '\0'; /* the newline after the block */
  g_free(out);
  return ann;
}

/* After a cleaning edit the spans are over the new text, but brat gets the original text
 * and offsets into it; a span over a line break is cut into fragments. */
static void test_brat_after_edit(void) {
  CopydeskDocument *doc = copydesk_document_new(
      "e", "Caf\xc3\xa9  \xe2\x80\x9cWe are\nopen\xe2\x80\x9d, said\xc2\xa0\xc3\x89va.", -1);
  g_assert_true(copydesk_document_replace(doc, 5, 7, " ", -1, NULL)); /* two spaces → one */
  gsize nbsp = copydesk_harness_find(doc, "\xc2\xa0", 0);
  g_assert_true(copydesk_document_replace(doc, nbsp, nbsp + 2, " ", -1, NULL));
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==,
                  "Caf\xc3\xa9 \xe2\x80\x9cWe are\nopen\xe2\x80\x9d, said \xc3\x89va.");
  CopydeskSpan *eva = add_entity(doc, "\xc3\x89va", 0, "PERSON", NULL, NULL);
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "We are\nopen", 0, "direct");
  copydesk_span_set_link(q, "speaker", eva);
  char *ann = brat_ann(doc);
  /* Original: "Café  “We are\nopen”, said\u00a0Éva." — É is at code point 26. */
  g_assert_cmpstr(ann, ==,
                  "T1\tPERSON 26 29\t\xc3\x89va\n"
                  "T2\tQuote 7 13;14 18\tWe are open\n"
                  "A1\tKind T2 direct\n"
                  "R1\tSpeaker Arg1:T2 Arg2:T1\n");
  g_free(ann);
  copydesk_document_free(doc);
}

/* Invalid UTF-8 in the input: the .txt gets one U+FFFD per bad byte, so code point offsets
 * (the core counts a bad byte as one) still point at the right characters. */
static void test_brat_invalid_utf8(void) {
  static const char original[] = "A\xff\xfe B\r\nZo\xc3\xab.";
  CopydeskDocument *doc = copydesk_document_new("bad", original, -1);
  add_entity(doc, "Zo\xc3\xab", 0, "PERSON", NULL, NULL);
  copydesk_harness_add_span(doc, COPYDESK_LAYER_QUOTE, 0, copydesk_harness_find(doc, "Zo", 0), "direct"); /* over the CRLF */
  char *out = format_doc("brat", "{}", doc);
  g_assert_true(g_str_has_prefix(out, "#copydesk-brat bad.txt 16\n"
                                      "A\xef\xbf\xbd\xef\xbf\xbd B\r\nZo\xc3\xab.\n"));
  g_free(out);
  char *ann = brat_ann(doc);
  g_assert_cmpstr(ann, ==,
                  "T1\tPERSON 7 10\tZo\xc3\xab\n"
                  "T2\tQuote 0 5\tA\xef\xbf\xbd\xef\xbf\xbd B\n"
                  "A1\tKind T2 direct\n");
  g_free(ann);
  copydesk_document_free(doc);
}

/* dir: NAME.txt and NAME.ann per document, annotation.conf beside them, file-name safe and
 * distinct names, one summary line per document on the output. */
static void test_brat_dir(void) {
  char *dir = g_dir_make_tmp("copydesk-brat-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *sub = g_build_filename(dir, "out", NULL);
  char *yaml = g_strdup_printf("pipeline: []\noutput:\n  plugin: brat\n  options: {dir: '%s'}\n",
                               sub);
  CopydeskHarness *h = copydesk_harness_new(yaml);
  CopydeskDocument *a = copydesk_document_new("../etc/passwd", "Rome.", -1);
  add_entity(a, "Rome", 0, "LOC", NULL, NULL);
  CopydeskDocument *b = copydesk_document_new("plain-id.txt", "Oslo.", -1);
  char *out_a = copydesk_harness_format(h, a);
  char *out_b1 = copydesk_harness_format(h, b);
  char *out_b2 = copydesk_harness_format(h, b); /* the same id again: the same name */

  char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA1, "../etc/passwd", -1);
  char *name_a = g_strdup_printf("_._etc_passwd-%.8s", hash);
  char *txt_a = g_strdup_printf("%s/%s.txt", sub, name_a);
  char *ann_a = g_strdup_printf("%s/%s.ann", sub, name_a);
  char *line_a = g_strdup_printf("%s\t%s\t1 mentions\t0 quotes\n", txt_a, ann_a);
  g_assert_cmpstr(out_a, ==, line_a);
  char *contents;
  g_assert_true(g_file_get_contents(txt_a, &contents, NULL, NULL));
  g_assert_cmpstr(contents, ==, "Rome.");
  g_free(contents);
  g_assert_true(g_file_get_contents(ann_a, &contents, NULL, NULL));
  g_assert_cmpstr(contents, ==, "T1\tLOC 0 4\tRome\n");
  g_free(contents);
  g_assert_true(g_str_has_suffix(out_b1, "/plain-id.txt.ann\t0 mentions\t0 quotes\n"));
  g_assert_true(g_str_has_suffix(out_b2, "/plain-id.txt.ann\t0 mentions\t0 quotes\n"));
  char *conf = g_build_filename(sub, "annotation.conf", NULL);
  g_assert_true(g_file_get_contents(conf, &contents, NULL, NULL));
  g_assert_nonnull(strstr(contents, "[entities]\nPERSON\nORG\nLOC\nMISC\nQuote\n"));
  g_assert_nonnull(strstr(contents, "Speaker\tArg1:Quote, Arg2:PERSON|"));
  g_free(contents);

  /* Nothing was written outside the folder. */
  char *escaped = g_build_filename(dir, "etc", NULL);
  g_assert_false(g_file_test(escaped, G_FILE_TEST_EXISTS));
  g_free(escaped);

  copydesk_harness_free(h);
  copydesk_document_free(a);
  copydesk_document_free(b);
  g_free(out_a);
  g_free(out_b1);
  g_free(out_b2);
  g_free(hash);
  g_free(name_a);
  g_free(txt_a);
  g_free(ann_a);
  g_free(line_a);
  g_free(conf);
  g_free(yaml);
  /* Clean up. */
  GDir *d = g_dir_open(sub, 0, NULL);
  const char *f;
  while ((f = g_dir_read_name(d)) != NULL) {
    char *p = g_build_filename(sub, f, NULL);
    g_remove(p);
    g_free(p);
  }
  g_dir_close(d);
  g_rmdir(sub);
  g_rmdir(dir);
  g_free(sub);
  g_free(dir);
}

/* Equiv lines join the mentions of one entity; pronoun speakers get their own type. */
static void test_brat_equiv_and_pronoun(void) {
  CopydeskDocument *doc =
      copydesk_document_new("p", "Ana Lima spoke. Lima said: \xe2\x80\x9cYes.\xe2\x80\x9d She left.", -1);
  add_entity(doc, "Ana Lima", 0, "PERSON", "E1", "Ana Lima");
  add_entity(doc, "Lima", 1, "PERSON", "E1", NULL);
  CopydeskSpan *she = copydesk_harness_add_at(doc, "speaker", "She", 0, "pronoun");
  CopydeskSpan *q = copydesk_harness_add_at(doc, COPYDESK_LAYER_QUOTE, "Yes.", 0, "direct");
  copydesk_span_set_link(q, "speaker", she);
  copydesk_span_set_string(q, "speaker_name", "Ana Lima");
  copydesk_span_set_string(q, "reason", "pronoun\tafter\nquote");
  char *ann = brat_ann(doc);
  g_assert_cmpstr(ann, ==,
                  "T1\tPERSON 0 8\tAna Lima\n"
                  "T2\tPERSON 16 20\tLima\n"
                  "T3\tQuote 28 32\tYes.\n"
                  "T4\tPronoun 34 37\tShe\n"
                  "A1\tKind T3 direct\n"
                  "R1\tSpeaker Arg1:T3 Arg2:T4\n"
                  "*\tEquiv T1 T2\n"
                  "#1\tAnnotatorNotes T1\tE1 Ana Lima\n"
                  "#2\tAnnotatorNotes T2\tE1\n"
                  "#3\tAnnotatorNotes T3\tspeaker: Ana Lima; reason: pronoun after quote\n");
  g_free(ann);
  copydesk_document_free(doc);
}

/* ---- html ----------------------------------------------------------------------------- */

/* The <article> of the page made for DOC. */
static char *html_article(const CopydeskDocument *doc) {
  char *page = format_doc("html", "{}", doc);
  const char *a = strstr(page, "<article");
  const char *b = strstr(page, "</article>");
  g_assert_nonnull(a);
  g_assert_nonnull(b);
  char *out = g_strndup(a, (gsize)(b - a) + strlen("</article>"));
  g_free(page);
  return out;
}

static void test_html_page(void) {
  CopydeskDocument *doc = make_meeting();
  char *page = format_doc("html", "{title: 'News & <views>'}", doc);
  g_assert_true(g_str_has_prefix(page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"));
  g_assert_nonnull(strstr(page, "<meta name=\"viewport\" content=\"width=device-width"));
  g_assert_nonnull(strstr(page, "Content-Security-Policy\" content=\"default-src 'none'"));
  g_assert_nonnull(strstr(page, "<title>News &amp; &lt;views&gt;</title>"));
  g_assert_nonnull(strstr(page, "<ul class=\"legend\""));
  g_assert_null(strstr(page, "<script"));
  g_assert_null(strstr(page, "http://"));
  g_assert_null(strstr(page, "https://"));
  g_assert_null(strstr(page, "@import"));
  g_assert_true(g_str_has_suffix(page, "</main>\n<footer class=\"foot\">Made with copydesk. "
                                       "Highlights mark the text after cleaning; each "
                                       "highlight's title names its entity.</footer>\n"
                                       "</div>\n</body>\n</html>\n"));
  g_free(page);

  char *article = html_article(doc);
  g_assert_cmpstr(
      article, ==,
      "<article class=\"doc\" data-id=\"t1\">\n<h2>t1</h2>\n<div class=\"text\">\n"
      "<p><mark class=\"ent PERSON\" data-entity=\"E1\" title=\"Person: Ana Lima (E1)\">Ana "
      "Lima</mark> met <mark class=\"ent PERSON\" data-entity=\"E2\" title=\"Person: Bo Chen "
      "(E2)\">Bo Chen</mark> in <mark class=\"ent LOC\" data-entity=\"E3\" title=\"Place: Rome "
      "(E3)\">Rome</mark>. \xe2\x80\x9c<q class=\"quote direct\" data-kind=\"direct\" "
      "data-speaker=\"Ana Lima\" title=\"direct quote by Ana Lima\">We agreed</q>,\xe2\x80\x9d"
      "<span class=\"speaker\" data-speaker=\"Ana Lima\">Ana Lima \xc2\xb7 said</span> "
      "<mark class=\"ent PERSON\" data-entity=\"E1\" title=\"Person: Ana Lima (E1)\">Lima</mark> "
      "said.</p>\n"
      "</div>\n"
      "<ul class=\"summary\">\n"
      "<li class=\"cat-person\"><b>People:</b> Ana Lima (2), Bo Chen (1)</li>\n"
      "<li class=\"cat-place\"><b>Places:</b> Rome (1)</li>\n"
      "<li class=\"quotes\"><b>Quotes:</b> 1</li>\n"
      "</ul>\n"
      "</article>");
  g_free(article);
  copydesk_document_free(doc);
}

/* Every input character that means something in HTML is escaped, in text and attributes. */
static void test_html_escaping(void) {
  CopydeskDocument *doc =
      copydesk_document_new("<id\"&'>", "a<b>&\"c'\x01\n\nx</script><b>y", -1);
  CopydeskSpan *e = add_entity(doc, "<b>&", 0, "ORG\"><i", "E\"1", "N<&>\"'");
  (void)e;
  char *article = html_article(doc);
  g_assert_cmpstr(
      article, ==,
      "<article class=\"doc\" data-id=\"&lt;id&quot;&amp;&#39;&gt;\">\n"
      "<h2>&lt;id&quot;&amp;&#39;&gt;</h2>\n<div class=\"text\">\n"
      "<p>a<mark class=\"ent ORG___i\" data-entity=\"E&quot;1\" title=\"Other: "
      "N&lt;&amp;&gt;&quot;&#39; (E&quot;1)\">&lt;b&gt;&amp;</mark>&quot;c&#39;\xef\xbf\xbd</p>\n"
      "<p>x&lt;/script&gt;&lt;b&gt;y</p>\n"
      "</div>\n"
      "<ul class=\"summary\">\n"
      "<li class=\"cat-other\"><b>Other names:</b> N&lt;&amp;&gt;&quot;&#39; (1)</li>\n"
      "<li class=\"note\">Quotes not annotated (no quotes stage in the pipeline).</li>\n"
      "</ul>\n"
      "</article>");
  g_free(article);
  copydesk_document_free(doc);
}

/* Spans that cross are written as properly nested elements: the inner one is closed at the
 * boundary and opened again; a quote over a paragraph break is split at the break. */
static void test_html_nesting(void) {
  CopydeskDocument *doc = copydesk_document_new("n", "He said \xe2\x80\x9cNew York is\n\nbig\xe2\x80\x9d Kim.", -1);
  /* An entity that starts outside the quote and ends inside it. */
  copydesk_harness_add_span(doc, COPYDESK_LAYER_ENTITY, copydesk_harness_find(doc, "said", 0), copydesk_harness_find(doc, "York", 0) + 4, "MISC");
  add_entity(doc, "New York", 0, "LOC", NULL, NULL);
  CopydeskSpan *q = copydesk_harness_add_span(doc, COPYDESK_LAYER_QUOTE, copydesk_harness_find(doc, "New", 0),
                             copydesk_harness_find(doc, "big", 0) + 3, "direct");
  copydesk_span_set_string(q, "speaker_name", "Kim");
  char *article = html_article(doc);
  const char *text = strstr(article, "<p>");
  char *end = strstr(article, "</div>");
  *end = '\0';
  g_assert_cmpstr(
      text, ==,
      "<p>He <mark class=\"ent MISC\" title=\"Other\">said \xe2\x80\x9c</mark>"
      "<q class=\"quote direct\" data-kind=\"direct\" data-speaker=\"Kim\" title=\"direct quote "
      "by Kim\"><mark class=\"ent MISC\" title=\"Other\"><mark class=\"ent LOC\" "
      "title=\"Place\">New York</mark></mark> is</q></p>\n"
      "<p><q class=\"quote direct\" data-kind=\"direct\" data-speaker=\"Kim\" title=\"direct "
      "quote by Kim\">big</q>\xe2\x80\x9d<span class=\"speaker\" data-speaker=\"Kim\">Kim</span> "
      "Kim.</p>\n");
  g_free(article);
  copydesk_document_free(doc);
}

/* A run without documents still makes a whole page, which says so (CSS main:empty). */
static void test_html_no_documents(void) {
  const char *dir = g_getenv("COPYDESK_PLUGIN_PATH");
  g_assert_nonnull(dir);
  char *path = g_build_filename(dir, "html", "html.so", NULL);
  void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL); /* kept open, as the loader does */
  if (module == NULL) g_error("%s: %s", path, dlerror());
  CopydeskDescribeFunc describe = (CopydeskDescribeFunc)dlsym(module, COPYDESK_PLUGIN_ENTRY);
  g_assert_nonnull(describe);
  const CopydeskPluginDescriptor *d = describe();
  void *self = d->create(NULL, NULL);
  GString *out = g_string_new(NULL);
  g_assert_true(d->header(self, out, NULL));
  g_assert_true(d->footer(self, out, NULL));
  g_assert_nonnull(strstr(out->str, "<main></main>"));
  g_assert_nonnull(strstr(out->str, "main:empty::before{content:\"No documents.\""));
  g_string_free(out, TRUE);
  d->destroy(self);
  g_free(path);
}

/* ---- The shared samples ------------------------------------------------------------------ */

/* The samples format in every plugin; the brat offsets of every T-line match the .txt. */
static void test_samples(void) {
  CopydeskDocument *docs[] = {sample_brief(), sample_article(), sample_evil(), sample_bare()};
  for (guint i = 0; i < G_N_ELEMENTS(docs); i++) {
    const char *const plugins[] = {"text", "conll", "brat", "html"};
    for (guint k = 0; k < G_N_ELEMENTS(plugins); k++) {
      char *out = format_doc(plugins[k], "{}", docs[i]);
      g_assert_true(g_utf8_validate(out, -1, NULL));
      g_free(out);
    }
    /* brat: text of each fragment == .txt[start:end] in code points */
    char *out = format_doc("brat", "{}", docs[i]);
    const char *txt = strchr(out, '\n') + 1;
    char *header = g_strndup(out, (gsize)(txt - out - 1));
    gsize txt_len = g_ascii_strtoull(strrchr(header, ' ') + 1, NULL, 10);
    g_free(header);
    char *t = g_strndup(txt, txt_len);
    const char *ann = strchr(txt + txt_len + 1, '\n') + 1;
    char **lines = g_strsplit(ann, "\n", -1);
    for (guint l = 0; lines[l] != NULL; l++) {
      if (lines[l][0] != 'T') continue;
      char **cols = g_strsplit(lines[l], "\t", 3);
      char **frags = g_strsplit(strchr(cols[1], ' ') + 1, ";", -1);
      GString *joined = g_string_new(NULL);
      for (guint f = 0; frags[f] != NULL; f++) {
        glong s, e;
        g_assert_cmpint(sscanf(frags[f], "%ld %ld", &s, &e), ==, 2);
        g_assert_cmpint(s, <, e);
        const char *ps = g_utf8_offset_to_pointer(t, s), *pe = g_utf8_offset_to_pointer(t, e);
        g_assert_null(memchr(ps, '\n', (gsize)(pe - ps)));
        if (f > 0) g_string_append_c(joined, ' ');
        g_string_append_len(joined, ps, pe - ps);
      }
      for (gsize c = 0; c < joined->len; c++)
        if (joined->str[c] == '\t') joined->str[c] = ' ';
      g_assert_cmpstr(joined->str, ==, cols[2]);
      g_string_free(joined, TRUE);
      g_strfreev(frags);
      g_strfreev(cols);
    }
    g_strfreev(lines);
    g_free(t);
    g_free(out);
  }
  for (guint i = 0; i < G_N_ELEMENTS(docs); i++) copydesk_document_free(docs[i]);
}

/* The examples of docs/output-formats.md are the plugins' real output for the brief sample:
 * each fenced block after a comment "<!-- example: plugin=P options={…} match=M -->" must
 * equal (exact), start (prefix: a last line "…" stands for the rest) or occur in (contains)
 * the output of plugin P with those options. */
static void test_docs_examples(void) {
  char *path = g_build_filename(g_getenv("COPYDESK_SOURCE_ROOT"), "docs", "output-formats.md", NULL);
  char *md;
  g_assert_true(g_file_get_contents(path, &md, NULL, NULL));
  CopydeskDocument *doc = sample_brief();
  GRegex *re = g_regex_new("<!-- example: plugin=(\\w+) options=(\\{[^}]*\\}) match=(\\w+) -->\n"
                           "```\\w*\n(.*?)```\n",
                           G_REGEX_DOTALL, 0, NULL);
  GMatchInfo *m;
  guint n = 0;
  g_regex_match(re, md, 0, &m);
  for (; g_match_info_matches(m); g_match_info_next(m, NULL), n++) {
    char *plugin = g_match_info_fetch(m, 1), *options = g_match_info_fetch(m, 2);
    char *match = g_match_info_fetch(m, 3), *block = g_match_info_fetch(m, 4);
    char *out = format_doc(plugin, options, doc);
    g_test_message("example %u: %s %s (%s)", n, plugin, options, match);
    if (strcmp(match, "exact") == 0) {
      g_assert_cmpstr(block, ==, out);
    } else if (strcmp(match, "prefix") == 0) {
      g_assert_true(g_str_has_suffix(block, "\n\xe2\x80\xa6\n"));
      block[strlen(block) - strlen("\xe2\x80\xa6\n")] = '\0';
      g_assert_true(g_str_has_prefix(out, block));
    } else {
      g_assert_cmpstr(match, ==, "contains");
      g_assert_nonnull(strstr(out, block));
    }
    g_free(out);
    g_free(plugin);
    g_free(options);
    g_free(match);
    g_free(block);
  }
  g_assert_cmpuint(n, ==, 5);
  g_match_info_free(m);
  g_regex_unref(re);
  copydesk_document_free(doc);
  g_free(md);
  g_free(path);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/outputs/text/summary", test_text_summary);
  g_test_add_func("/outputs/text/wrap", test_text_wrap);
  g_test_add_func("/outputs/text/color", test_text_color);
  g_test_add_func("/outputs/text/missing-layers", test_text_missing_layers);
  g_test_add_func("/outputs/text/quotes-and-controls", test_text_quotes_and_controls);
  g_test_add_func("/outputs/conll/tokens", test_conll_tokens);
  g_test_add_func("/outputs/conll/iob1", test_conll_iob1);
  g_test_add_func("/outputs/conll/input-columns", test_conll_input_columns);
  g_test_add_func("/outputs/conll/odd-tokens", test_conll_odd_tokens);
  g_test_add_func("/outputs/conll/conlleval", test_conll_conlleval);
  g_test_add_func("/outputs/brat/codepoints", test_brat_codepoints);
  g_test_add_func("/outputs/brat/after-edit", test_brat_after_edit);
  g_test_add_func("/outputs/brat/invalid-utf8", test_brat_invalid_utf8);
  g_test_add_func("/outputs/brat/dir", test_brat_dir);
  g_test_add_func("/outputs/brat/equiv-pronoun", test_brat_equiv_and_pronoun);
  g_test_add_func("/outputs/html/page", test_html_page);
  g_test_add_func("/outputs/html/escaping", test_html_escaping);
  g_test_add_func("/outputs/html/nesting", test_html_nesting);
  g_test_add_func("/outputs/html/no-documents", test_html_no_documents);
  g_test_add_func("/outputs/samples", test_samples);
  g_test_add_func("/outputs/docs-examples", test_docs_examples);
  return g_test_run();
}
