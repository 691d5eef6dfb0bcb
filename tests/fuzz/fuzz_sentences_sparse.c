/* copydesk — libFuzzer target comparing the two ways `sentences` tokenizes.
 *
 * With the token layer wanted, the plugin takes every token; without it (`tokens: false`, or
 * no later stage reading tokens) it takes only the tokens near a possible sentence end and
 * leaves out the plain words between.  Both must give the same sentences and paragraphs:
 * each input is one document's text, run through both, and any difference in the two
 * layers' spans or labels aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CopydeskHarness *every_token, *near_decisions;

/* Aborts unless layer NAME has the same spans (bounds and labels) in A and B. */
static void
assert_same_layer(const CopydeskDocument *a, const CopydeskDocument *b, const char *name)
{
  CopydeskLayer *la = copydesk_document_layer(a, name), *lb = copydesk_document_layer(b, name);
  gsize na = la ? copydesk_layer_n_spans(la) : 0, nb = lb ? copydesk_layer_n_spans(lb) : 0;
  if (na != nb)
    abort();
  for (gsize i = 0; i < na; i++) {
    const CopydeskSpan *x = copydesk_layer_span(la, i), *y = copydesk_layer_span(lb, i);
    if (copydesk_span_start(x) != copydesk_span_start(y) ||
        copydesk_span_end(x) != copydesk_span_end(y) ||
        g_strcmp0(copydesk_span_label(x), copydesk_span_label(y)) != 0)
      abort();
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (every_token == NULL) {
    if (g_getenv("COPYDESK_PLUGIN_PATH") == NULL)
      g_setenv("COPYDESK_PLUGIN_PATH", FUZZ_PLUGIN_DIR, TRUE);
    every_token = copydesk_harness_new("pipeline:\n  - plugin: sentences\n"
                                       "output: {plugin: jsonl}\n");
    near_decisions = copydesk_harness_new("pipeline:\n  - plugin: sentences\n"
                                          "    options: {tokens: false}\n"
                                          "output: {plugin: jsonl}\n");
  }
  CopydeskDocument *a = copydesk_harness_process(every_token, (const char *)data, size);
  CopydeskDocument *b = copydesk_harness_process(near_decisions, (const char *)data, size);
  if (copydesk_document_n_errors(a) != copydesk_document_n_errors(b))
    abort();
  assert_same_layer(a, b, COPYDESK_LAYER_SENTENCE);
  assert_same_layer(a, b, COPYDESK_LAYER_PARAGRAPH);
  copydesk_document_free(a);
  copydesk_document_free(b);
  return 0;
}
