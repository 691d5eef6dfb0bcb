/* copydesk — libFuzzer target for one pipeline of transform/annotate plugins on arbitrary
 * bytes.  FUZZ_STAGES (a compile-time string, comma-separated) names the stages; each input is one
 * document's text, run through every stage and formatted as JSON Lines, which must be
 * valid UTF-8 and end in one newline. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CopydeskHarness *harness;

/* The pipeline file for FUZZ_STAGES, with every layer in the JSON output. */
static char *
pipeline_yaml(void)
{
  GString *yaml = g_string_new("pipeline:\n");
  char **stages = g_strsplit(FUZZ_STAGES, ",", -1);
  for (guint i = 0; stages[i]; i++) {
    g_string_append_printf(yaml, "  - plugin: %s\n", stages[i]);
    if (g_str_equal(stages[i], "entities"))
      g_string_append(yaml, "    options: {model: " FUZZ_MODEL "}\n");
  }
  g_strfreev(stages);
  g_string_append(yaml, "output:\n  plugin: jsonl\n  options: {include: [clean_text, tokens, "
                        "sentences, paragraphs, mentions, entities, quotes]}\n");
  return g_string_free(yaml, FALSE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (harness == NULL) {
    if (g_getenv("COPYDESK_PLUGIN_PATH") == NULL)
      g_setenv("COPYDESK_PLUGIN_PATH", FUZZ_PLUGIN_DIR, TRUE);
    if (g_getenv("COPYDESK_DATA_DIR") == NULL) /* lexicons and models */
      g_setenv("COPYDESK_DATA_DIR", FUZZ_DATA_DIR, TRUE);
    char *yaml = pipeline_yaml();
    harness = copydesk_harness_new(yaml);
    g_free(yaml);
  }
  CopydeskDocument *doc = copydesk_harness_process(harness, (const char *)data, size);
  char *out = copydesk_harness_format(harness, doc);
  gsize len = strlen(out);
  if (!g_utf8_validate(out, len, NULL) || len == 0 || out[len - 1] != '\n' ||
      memchr(out, '\n', len) != out + len - 1)
    abort();
  g_free(out);
  copydesk_document_free(doc);
  return 0;
}
