/* copydesk — libFuzzer target for the output plugins: documents with arbitrary text (a
 * third of the input, after a cleaning edit so the offset map is not the identity) and
 * arbitrary spans in the token, sentence, paragraph, entity, quote, speaker and cue layers
 * (the rest of the input, five bytes a span), with the links the quotes plugin makes.
 * Every output plugin present formats it; JSON outputs must stay valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const outputs[] = {"json", "jsonl", "text", "conll", "brat", "html"};
static const char *const layers[] = {"token", "sentence", "paragraph", "entity", "quote",
                                     "speaker", "cue"};
static const char *const labels[] = {"PERSON", "ORG", "LOC", "MISC", "direct", "partial",
                                     "indirect", "word"};
static CopydeskHarness *harnesses[G_N_ELEMENTS(outputs)];
static gboolean started;

/* Loads a harness for every output plugin that exists. */
static void
start(void)
{
  if (g_getenv("COPYDESK_PLUGIN_PATH") == NULL)
    g_setenv("COPYDESK_PLUGIN_PATH", FUZZ_PLUGIN_DIR, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS(outputs); i++) {
    char *yaml = g_strdup_printf("pipeline: []\noutput:\n  plugin: %s\n", outputs[i]);
    GError *error = NULL;
    harnesses[i] = copydesk_harness_try_new(yaml, &error);
    g_clear_error(&error);
    g_free(yaml);
  }
  started = TRUE;
}

/* The nearest character boundary at or after POS. */
static gsize
boundary(const char *text, gsize len, gsize pos)
{
  if (pos > len)
    pos = len;
  while (pos < len && (((guchar)text[pos]) & 0xC0) == 0x80)
    pos++;
  return pos;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!started)
    start();
  gsize text_size = size / 3;
  CopydeskDocument *doc = copydesk_document_new("fuzz", (const char *)data, text_size);
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  if (len > 3) /* an edit, so spans map through a non-trivial offset map */
    copydesk_document_replace(doc, boundary(text, len, 1), boundary(text, len, 2), "\xC2\xA0 ", -1,
                              NULL);
  text = copydesk_document_text(doc, &len);
  CopydeskSpan *last[G_N_ELEMENTS(layers)] = {NULL};
  for (gsize i = text_size; i + 5 <= size; i += 5) {
    guint layer = data[i] % G_N_ELEMENTS(layers);
    gsize start = boundary(text, len, ((gsize)data[i + 1] << 8 | data[i + 2]) % (len + 1));
    gsize end = boundary(text, len, start + data[i + 3]);
    CopydeskLayer *l = copydesk_document_ensure_layer(doc, layers[layer]);
    CopydeskSpan *span = copydesk_layer_add(l, start, end, labels[data[i + 4] % G_N_ELEMENTS(labels)], NULL);
    if (span == NULL)
      continue;
    if (layers[layer][0] == 'e') {
      char id[8];
      g_snprintf(id, sizeof id, "E%u", data[i + 4] % 4);
      copydesk_span_set_string(span, "entity", id);
      if (data[i + 4] & 0x10)
        copydesk_span_set_string(span, "name", "Name \"quoted\" <b>&");
    } else if (layers[layer][0] == 'q') {
      copydesk_span_set_link(span, "speaker", last[3] ? last[3] : last[5]);
      copydesk_span_set_link(span, "cue", last[6]);
      if (data[i + 4] & 0x20)
        copydesk_span_set_double(span, "confidence", data[i + 3] / 255.0);
    }
    last[layer] = span;
  }
  for (guint o = 0; o < G_N_ELEMENTS(outputs); o++) {
    if (harnesses[o] == NULL)
      continue;
    char *out = copydesk_harness_format(harnesses[o], doc);
    if (o < 2 && !g_utf8_validate(out, -1, NULL))
      abort();
    g_free(out);
  }
  copydesk_document_free(doc);
  return 0;
}
