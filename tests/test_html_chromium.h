/* copydesk — the sample articles the output tests share (test_plugin_outputs.c, the
 * Chromium test and the examples in docs/output-formats.md).
 *
 * Each sample runs through the real clean and sentences plugins (so the text is cleaned and
 * the offset map is not trivial), then gets entity and quote annotations by hand, found by
 * searching the cleaned text: the outputs are then the same whether or not the entities
 * and quotes plugins are built, and the expectations do not move with their models.
 */
#pragma once

#include <copydesk/copydesk.h>

#include <string.h>

#include "harness.h"
#include "pipeline.h"

/* A wire brief, the example of docs/output-formats.md.  The double space is one that clean
 * collapses: offsets still point into this original text. */
static const char sample_brief_text[] =
    "Rail strike ends in Valmora\n"
    "\n"
    "VALMORA CITY, May 14 (Copydesk Wire) - Rail workers in Valmora voted on Wednesday to "
    "accept a 7% pay offer from Ferrovia  Nacional, ending a ten-day strike.\n"
    "\n"
    "\xe2\x80\x9c" "Our members can go back to work with their heads held high,\xe2\x80\x9d said "
    "In\xc3\xaas Carvalho of the Union of Rail Workers.\n";

/* A longer article: partial, indirect and pronoun-attributed quotes, a place inside a
 * quote, non-ASCII names. */
static const char sample_article_text[] =
    "Valmora rail unions accept pay deal, ending ten-day strike\n"
    "\n"
    "VALMORA CITY, May 14 (Copydesk Wire) - Rail workers in Valmora voted on Wednesday to "
    "accept a 7% pay offer from the state operator Ferrovia Nacional, ending a ten-day strike "
    "that had stranded commuters across the capital and halted freight to the port of Santa "
    "Br\xc3\xadgida.\n"
    "\n"
    "\xe2\x80\x9cNobody wins a strike like this, but our members can go back to work with "
    "their heads held high,\xe2\x80\x9d said In\xc3\xaas Carvalho, general secretary of the "
    "Union of Rail Workers. \xe2\x80\x9cThe first trains will leave at six on Friday.\xe2\x80\x9d\n"
    "\n"
    "Transport Minister Jonas Eberhardt called the agreement \xe2\x80\x9c" "a fair settlement for "
    "passengers and staff\xe2\x80\x9d and said the government would pay for half of the "
    "increase.\n"
    "\n"
    "Business groups were less enthusiastic. The Valmora Chamber of Commerce said the strike "
    "had cost exporters about 300 million crowns and urged lawmakers to require notice before "
    "stoppages.\n"
    "\n"
    "Carvalho said the union would hold the operator to its promise of new safety checks on "
    "older carriages. \xe2\x80\x9cWe will be counting every carriage that leaves Valmora "
    "City,\xe2\x80\x9d she told reporters.\n";

/* Markup, control characters, NUL, invalid UTF-8, U+2028 and U+2029 in the input. */
static const char sample_evil_text[] =
    "Markup test: </script><b>bold?</b> & <img src=x onerror=alert(1)> \"double\" 'single'\n"
    "\n"
    "Controls: \x01\x1b[31m red \x7f NUL:\0 end. Invalid: \xff\xfe \xc3( done. "
    "Line\xe2\x80\xa8separator and paragraph\xe2\x80\xa9separator.\n"
    "\n"
    "\xe2\x80\x9c<b>Not bold</b> & not <i>italic</i>,\xe2\x80\x9d said Eve <Mallory>.\n";
#define SAMPLE_EVIL_LEN (sizeof sample_evil_text - 1)

/* The document id the evil sample gets: markup and quotes in an id too. */
#define SAMPLE_EVIL_ID "evil/\"<i>&'"

/* ---- Annotating by hand ------------------------------------------------------------- */

/* Byte offset of NEEDLE inside the first occurrence of CONTEXT (which holds it) in DOC's
 * current text. */
static gsize sample_find(const CopydeskDocument *doc, const char *context, const char *needle) {
  const char *text = copydesk_document_text(doc, NULL);
  const char *c = strstr(text, context);
  if (c == NULL) g_error("sample: \"%s\" is not in the cleaned text:\n%s", context, text);
  const char *n = strstr(c, needle);
  g_assert_nonnull(n);
  return (gsize)(n - text);
}

static CopydeskSpan *sample_span(CopydeskDocument *doc, const char *layer, const char *context,
                                 const char *needle, const char *label) {
  gsize start = sample_find(doc, context, needle);
  GError *error = NULL;
  CopydeskSpan *span = copydesk_layer_add(copydesk_document_ensure_layer(doc, layer), start,
                                          start + strlen(needle), label, &error);
  g_assert_no_error(error);
  return span;
}

/* An entity mention of entity ID named NAME. */
static CopydeskSpan *sample_mention(CopydeskDocument *doc, const char *context, const char *needle,
                                    const char *label, const char *id, const char *name) {
  CopydeskSpan *span = sample_span(doc, COPYDESK_LAYER_ENTITY, context, needle, label);
  copydesk_span_set_string(span, "entity", id);
  copydesk_span_set_string(span, "name", name);
  return span;
}

/* A quote (the words inside the marks) with its speaker and cue (either may be NULL). */
static CopydeskSpan *sample_quote(CopydeskDocument *doc, const char *words, const char *kind,
                                  CopydeskSpan *speaker, CopydeskSpan *cue, double confidence) {
  CopydeskSpan *q = sample_span(doc, COPYDESK_LAYER_QUOTE, words, words, kind);
  if (speaker != NULL) copydesk_span_set_link(q, "speaker", speaker);
  if (cue != NULL) copydesk_span_set_link(q, "cue", cue);
  copydesk_span_set_double(q, "confidence", confidence);
  return q;
}

/* Runs the stages of the pipeline YAML on DOC (as the harness does for a fresh document). */
static void sample_run_stages(CopydeskDocument *doc, const char *yaml) {
  GError *error = NULL;
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  const char *data_dir = g_getenv("COPYDESK_TEST_DATA");
  CopydeskPipeline *pipeline = copydesk_pipeline_load_data(
      "sample.yaml", yaml, strlen(yaml), data_dir ? data_dir : ".", &settings, &error);
  g_assert_no_error(error);
  CopydeskWorker *worker = copydesk_worker_new(pipeline, &error);
  g_assert_no_error(error);
  /* every output plugin formats the samples afterwards: build every layer */
  copydesk_worker_keep_all_layers(worker);
  copydesk_worker_process(worker, doc);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
}

/* Runs TEXT (LEN bytes) through clean (when CLEAN) and sentences and names the document ID. */
static CopydeskDocument *sample_process(const char *id, const char *text, gssize len,
                                        gboolean clean) {
  CopydeskHarness *h = copydesk_harness_new(
      clean ? "pipeline:\n  - plugin: clean\n  - plugin: sentences\noutput: {plugin: jsonl}\n"
            : "pipeline:\n  - plugin: sentences\noutput: {plugin: jsonl}\n");
  CopydeskDocument *doc = copydesk_harness_process(h, text, len);
  copydesk_harness_free(h);
  copydesk_document_set_id(doc, id);
  return doc;
}

/* ---- The samples ------------------------------------------------------------------------ */

/* The brief's cleaning is one edit made here (the double space collapsed), so its outputs,
 * shown in the docs, do not change with the clean plugin's rules. */
static CopydeskDocument *sample_brief(void) {
  CopydeskDocument *doc = copydesk_document_new("valmora-brief", sample_brief_text, -1);
  gsize at = (gsize)(strstr(sample_brief_text, "Ferrovia  ") - sample_brief_text) + 8;
  GError *error = NULL;
  g_assert_true(copydesk_document_replace(doc, at, at + 2, " ", -1, &error));
  g_assert_no_error(error);
  sample_run_stages(doc, "pipeline:\n  - plugin: sentences\noutput: {plugin: jsonl}\n");
  sample_mention(doc, "Rail strike ends in Valmora", "Valmora", "LOC", "E1", "Valmora");
  sample_mention(doc, "workers in Valmora", "Valmora", "LOC", "E1", "Valmora");
  sample_mention(doc, "Ferrovia Nacional", "Ferrovia Nacional", "ORG", "E2", "Ferrovia Nacional");
  CopydeskSpan *ines = sample_mention(doc, "In\xc3\xaas Carvalho", "In\xc3\xaas Carvalho",
                                      "PERSON", "E3", "In\xc3\xaas Carvalho");
  sample_mention(doc, "Union of Rail Workers", "Union of Rail Workers", "ORG", "E4",
                 "Union of Rail Workers");
  CopydeskSpan *said = sample_span(doc, "cue", "\xe2\x80\x9d said", "said", "say");
  sample_quote(doc, "Our members can go back to work with their heads held high", "direct", ines,
               said, 0.95);
  return doc;
}

static CopydeskDocument *sample_article(void) {
  CopydeskDocument *doc = sample_process("valmora-strike", sample_article_text, -1, TRUE);
  sample_mention(doc, "Valmora rail", "Valmora", "LOC", "E1", "Valmora");
  sample_mention(doc, "workers in Valmora", "Valmora", "LOC", "E1", "Valmora");
  sample_mention(doc, "Ferrovia Nacional", "Ferrovia Nacional", "ORG", "E2", "Ferrovia Nacional");
  sample_mention(doc, "Santa Br\xc3\xadgida", "Santa Br\xc3\xadgida", "LOC", "E3",
                 "Santa Br\xc3\xadgida");
  CopydeskSpan *ines = sample_mention(doc, "In\xc3\xaas Carvalho", "In\xc3\xaas Carvalho",
                                      "PERSON", "E4", "In\xc3\xaas Carvalho");
  sample_mention(doc, "Union of Rail Workers", "Union of Rail Workers", "ORG", "E5",
                 "Union of Rail Workers");
  CopydeskSpan *jonas = sample_mention(doc, "Jonas Eberhardt", "Jonas Eberhardt", "PERSON", "E6",
                                       "Jonas Eberhardt");
  CopydeskSpan *chamber =
      sample_mention(doc, "Valmora Chamber of Commerce", "Valmora Chamber of Commerce", "ORG",
                     "E7", "Valmora Chamber of Commerce");
  sample_mention(doc, "Carvalho said the union", "Carvalho", "PERSON", "E4", "In\xc3\xaas Carvalho");
  sample_mention(doc, "leaves Valmora City", "Valmora City", "LOC", "E8", "Valmora City");

  CopydeskSpan *said1 = sample_span(doc, "cue", "\xe2\x80\x9d said In", "said", "say");
  CopydeskSpan *called = sample_span(doc, "cue", "called the agreement", "called", "call");
  CopydeskSpan *said3 = sample_span(doc, "cue", "Commerce said", "said", "say");
  CopydeskSpan *told = sample_span(doc, "cue", "she told", "told", "tell");
  CopydeskSpan *she = sample_span(doc, "speaker", "she told", "she", "pronoun");

  sample_quote(doc,
               "Nobody wins a strike like this, but our members can go back to work with their "
               "heads held high",
               "direct", ines, said1, 0.96);
  sample_quote(doc, "The first trains will leave at six on Friday.", "direct", ines, said1, 0.81);
  sample_quote(doc, "a fair settlement for passengers and staff", "partial", jonas, called, 0.9);
  CopydeskSpan *indirect =
      sample_quote(doc,
                   "the strike had cost exporters about 300 million crowns and urged lawmakers to "
                   "require notice before stoppages",
                   "indirect", chamber, said3, 0.7);
  copydesk_span_set_string(indirect, "reason", "organisation before cue, reported speech");
  CopydeskSpan *last = sample_quote(doc, "We will be counting every carriage that leaves Valmora City",
                                    "direct", she, told, 0.88);
  copydesk_span_set_string(last, "speaker_name", "In\xc3\xaas Carvalho");
  copydesk_span_set_string(last, "speaker_entity", "E4");
  return doc;
}

static CopydeskDocument *sample_evil(void) {
  CopydeskDocument *doc = sample_process(SAMPLE_EVIL_ID, sample_evil_text, (gssize)SAMPLE_EVIL_LEN, TRUE);
  sample_mention(doc, "<img", "<img src=x onerror=alert(1)>", "ORG", "E1",
                 "<script>alert(\"name\")</script>");
  CopydeskSpan *eve = sample_mention(doc, "Eve <Mallory>", "Eve <Mallory>", "PERSON", "E2\"><b>",
                                     "Eve \"<Mallory>\" & 'co'");
  sample_quote(doc, "<b>Not bold</b> & not <i>italic</i>", "direct", eve, NULL, 0.5);
  return doc;
}

/* A document no stage touched: no layers at all. */
static CopydeskDocument *sample_bare(void) {
  return copydesk_document_new("bare", "A text no stage has seen: no sentences, names or quotes.",
                               -1);
}
